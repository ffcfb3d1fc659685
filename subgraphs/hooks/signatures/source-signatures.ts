/**
 * Signature verification per source, with secrets from hook_source_secrets. A source with
 * no active secret needs no signature; a source with several active secrets (a rotation in
 * progress) accepts a signature made with any of them.
 */
import { createHash, randomUUID } from 'node:crypto';

import type { Queryable } from '../../../platform/db/pool';
import { asDatabaseError } from '../../../platform/db/pool';
import { AppError } from '../../../platform/errors';
import { HookErrors } from '../errors';
import {
  DEFAULT_TOLERANCE_MS,
  type SignatureFailure,
  type SignatureScheme,
  verifyScheme,
} from './signature-schemes';
import type { SignatureVerifier, SignedDelivery, VerifiedSignature } from './signature-verifier';

export interface SourceSecret {
  id: string;
  source: string;
  scheme: SignatureScheme;
  secret: string;
}

export interface SourceSignaturesOptions {
  db: Queryable;
  /** Timestamp tolerance of the timestamped schemes. @default 300000 (5 minutes) */
  toleranceMs?: number;
  /** How long the secrets of a source are cached; a rotation takes effect within it. @default 5000 */
  cacheTtlMs?: number;
  /** @default Date.now */
  now?: () => number;
}

const FAILURE_MESSAGES: Record<SignatureFailure, string> = {
  missing: 'This source requires a signature and the delivery carries none.',
  malformed: 'The signature header is malformed.',
  stale: 'The signature timestamp is outside the accepted tolerance.',
  mismatch: 'The signature does not match any active secret of this source.',
};

export class SourceSignatures implements SignatureVerifier {
  private readonly cache = new Map<string, { secrets: SourceSecret[]; expiresAt: number }>();
  private readonly toleranceMs: number;
  private readonly cacheTtlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SourceSignaturesOptions) {
    this.toleranceMs = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  async verify(delivery: SignedDelivery): Promise<VerifiedSignature | undefined> {
    const secrets = await this.secretsOf(delivery.source);
    if (secrets.length === 0) return undefined;

    const nowMs = this.now();
    let failure: SignatureFailure = 'missing';
    for (const secret of secrets) {
      const result = verifyScheme(secret.scheme, {
        headers: delivery.headers,
        rawBody: delivery.rawBody,
        secret: secret.secret,
        nowMs,
        toleranceMs: this.toleranceMs,
      });
      if (result.ok) {
        const verified: VerifiedSignature = {
          scheme: secret.scheme,
          replayWindowMs: 2 * this.toleranceMs,
        };
        if (result.timestamped) {
          verified.replayDigest = createHash('sha256')
            .update(`${secret.scheme}:${delivery.source}:${result.matched}`)
            .digest('hex');
        }
        return verified;
      }
      // Report the most telling failure: a mismatch or staleness beats a missing header.
      if (rank(result.failure) > rank(failure)) failure = result.failure;
    }
    throw new AppError(HookErrors.INVALID_SIGNATURE, FAILURE_MESSAGES[failure], {
      signature_failure: failure,
    });
  }

  private async secretsOf(source: string): Promise<SourceSecret[]> {
    const cached = this.cache.get(source);
    if (cached && cached.expiresAt > this.now()) return cached.secrets;
    let secrets: SourceSecret[];
    try {
      secrets = await activeSecrets(this.options.db, source);
    } catch (error) {
      throw asDatabaseError(error);
    }
    this.cache.set(source, { secrets, expiresAt: this.now() + this.cacheTtlMs });
    return secrets;
  }
}

function rank(failure: SignatureFailure): number {
  return ['missing', 'malformed', 'stale', 'mismatch'].indexOf(failure);
}

export async function activeSecrets(db: Queryable, source: string): Promise<SourceSecret[]> {
  const result = await db.query<SourceSecret>(
    `SELECT id, source, scheme, secret FROM hook_source_secrets
     WHERE source = $1 AND revoked_at IS NULL ORDER BY created_at DESC`,
    [source],
  );
  return result.rows;
}

// TODO(issue 3): no admin API manages secrets yet; operators insert rows (or call these).
export async function addSourceSecret(
  db: Queryable,
  secret: { source: string; scheme: SignatureScheme; secret: string },
): Promise<string> {
  const id = randomUUID();
  await db.query(
    'INSERT INTO hook_source_secrets (id, source, scheme, secret) VALUES ($1, $2, $3, $4)',
    [id, secret.source, secret.scheme, secret.secret],
  );
  return id;
}

export async function revokeSourceSecret(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE hook_source_secrets SET revoked_at = now() WHERE id = $1', [id]);
}
