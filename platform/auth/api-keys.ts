/**
 * API keys: `onb_` + 32 random bytes in base64url. Only a SHA-256 hash and a short prefix
 * are stored; a presented key is hashed and looked up, so the comparison happens on
 * hashes inside the database index and leaks nothing about the secret through timing.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import type { Queryable } from '../db/pool';

export const PERMISSIONS = [
  'hooks:read',
  'hooks:write',
  'hooks:delete',
  'metrics:read',
  'metrics:write',
  'workflows:read',
  'workflows:write',
  'workflows:execute',
  'admin:read',
  'admin:write',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export interface ApiKeyIdentity {
  keyId: string;
  name: string;
  permissions: Permission[];
}

export type ApiKeyVerification =
  | { ok: true; identity: ApiKeyIdentity; expiresAtMs: number | undefined }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired'; keyId?: string };

/** What an operator sees of a key: never the secret or its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  permissions: Permission[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const KEY_PREFIX = 'onb_';
const PREFIX_SHOWN_CHARS = 12;

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Reads a key from `X-API-Key` or `Authorization: Bearer <key>`. */
export function extractApiKey(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const authorization = headers['authorization'];
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match?.[1]?.startsWith(KEY_PREFIX)) return match[1];
  }
  return undefined;
}

export class ApiKeyStore {
  constructor(private readonly db: Queryable) {}

  async create(options: {
    name: string;
    permissions: readonly Permission[];
    expiresAt?: Date;
    /** Register this key instead of generating one (DEV_API_KEY). */
    key?: string;
  }): Promise<{ key: string; id: string; prefix: string }> {
    const key = options.key ?? generateApiKey();
    const id = randomUUID();
    const prefix = key.slice(0, PREFIX_SHOWN_CHARS);
    const result = await this.db.query<{ id: string }>(
      `INSERT INTO api_keys (id, name, prefix, key_hash, permissions, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (key_hash) DO UPDATE
         SET permissions = EXCLUDED.permissions, revoked_at = NULL, expires_at = EXCLUDED.expires_at
       RETURNING id`,
      [id, options.name, prefix, hashApiKey(key), options.permissions, options.expiresAt ?? null],
    );
    return { key, id: result.rows[0]?.id ?? id, prefix };
  }

  async verify(key: string): Promise<ApiKeyVerification> {
    const result = await this.db.query<{
      id: string;
      name: string;
      permissions: Permission[];
      revoked_at: Date | null;
      expires_at: Date | null;
    }>('SELECT id, name, permissions, revoked_at, expires_at FROM api_keys WHERE key_hash = $1', [
      hashApiKey(key),
    ]);
    const row = result.rows[0];
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revoked_at) return { ok: false, reason: 'revoked', keyId: row.id };
    if (row.expires_at && row.expires_at.getTime() <= Date.now())
      return { ok: false, reason: 'expired', keyId: row.id };
    return {
      ok: true,
      identity: { keyId: row.id, name: row.name, permissions: row.permissions },
      expiresAtMs: row.expires_at?.getTime(),
    };
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const result = await this.db.query<Record<string, unknown>>(`${SELECT_RECORD} WHERE id = $1`, [
      id,
    ]);
    return result.rows.map(toRecord)[0];
  }

  async list(options: { includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
    const result = await this.db.query<Record<string, unknown>>(
      `${SELECT_RECORD} ${options.includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at DESC`,
    );
    return result.rows.map(toRecord);
  }

  /** Marks the key revoked; true if it existed and was active. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.db.query(
      'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [id],
    );
    return (result.rowCount ?? 0) > 0;
  }
}

const SELECT_RECORD =
  'SELECT id, name, prefix, permissions, created_at, expires_at, revoked_at, last_used_at FROM api_keys';

function toRecord(row: Record<string, unknown>): ApiKeyRecord {
  return {
    id: row['id'] as string,
    name: row['name'] as string,
    prefix: row['prefix'] as string,
    permissions: row['permissions'] as Permission[],
    createdAt: row['created_at'] as Date,
    expiresAt: row['expires_at'] as Date | null,
    revokedAt: row['revoked_at'] as Date | null,
    lastUsedAt: row['last_used_at'] as Date | null,
  };
}
