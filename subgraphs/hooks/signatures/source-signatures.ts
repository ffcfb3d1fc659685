/**
 * Signature verification per source, with secrets from hook_source_secrets. A source with
 * no active secret needs no signature; a source with several active secrets (a rotation in
 * progress) accepts a signature made with any of them.
 *
 * Secrets are stored sealed (platform/crypto/secret-box.ts): an HMAC needs the secret
 * itself, so it cannot be hashed like an API key, but a copy of the table (a backup, a
 * replica, a leaked dump) is of no use without HOOK_SECRETS_KEY.
 */
import { createHash, randomUUID } from 'node:crypto';

import { SecretBox } from '../../../platform/crypto/secret-box';
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
  box: SecretBox;
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
      secrets = await activeSecrets(this.options.db, this.options.box, source);
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

export async function activeSecrets(
  db: Queryable,
  box: SecretBox,
  source: string,
): Promise<SourceSecret[]> {
  const result = await db.query<SourceSecret>(
    `SELECT id, source, scheme, secret FROM hook_source_secrets
     WHERE source = $1 AND revoked_at IS NULL ORDER BY created_at DESC`,
    [source],
  );
  // A row stored in the clear (before sealing existed) is sealed at the next start.
  return result.rows.map((row) => ({
    ...row,
    secret: SecretBox.isSealed(row.secret) ? box.open(row.secret) : row.secret,
  }));
}

// TODO(issue 3): no admin API manages secrets yet; operators use npm run hook-secret.
export async function addSourceSecret(
  db: Queryable,
  box: SecretBox,
  secret: { source: string; scheme: SignatureScheme; secret: string },
): Promise<string> {
  const id = randomUUID();
  await db.query(
    'INSERT INTO hook_source_secrets (id, source, scheme, secret) VALUES ($1, $2, $3, $4)',
    [id, secret.source, secret.scheme, box.seal(secret.secret)],
  );
  return id;
}

/**
 * Seals the secrets stored in the clear and reseals those a previous key sealed, so
 * after a key rotation the previous key can be dropped. Answers how many rows changed.
 */
export async function resealSourceSecrets(db: Queryable, box: SecretBox): Promise<number> {
  const { rows } = await db.query<{ id: string; secret: string }>(
    'SELECT id, secret FROM hook_source_secrets',
  );
  let resealed = 0;
  for (const row of rows.filter((candidate) => box.needsResealing(candidate.secret))) {
    const plaintext = SecretBox.isSealed(row.secret) ? box.open(row.secret) : row.secret;
    // Only if nobody changed it meanwhile: a concurrent reseal by another replica wins.
    const updated = await db.query(
      'UPDATE hook_source_secrets SET secret = $3 WHERE id = $1 AND secret = $2',
      [row.id, row.secret, box.seal(plaintext)],
    );
    resealed += updated.rowCount ?? 0;
  }
  return resealed;
}

export async function revokeSourceSecret(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE hook_source_secrets SET revoked_at = now() WHERE id = $1', [id]);
}
