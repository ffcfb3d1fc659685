/** Refused deliveries (audit rows) and the signatures already accepted (replay protection). */
import { randomUUID } from 'node:crypto';

import type { Queryable } from '../../../platform/db/pool';

export interface Rejection {
  source: string | null;
  reason: string;
  sourceIp: string | null;
  apiKeyId: string | null;
  headers: Record<string, string>;
  bodySha256: string;
}

export async function recordRejection(db: Queryable, rejection: Rejection): Promise<void> {
  await db.query(
    `INSERT INTO hook_rejections (id, source, reason, source_ip, api_key_id, headers, body_sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      randomUUID(),
      rejection.source,
      rejection.reason,
      rejection.sourceIp,
      rejection.apiKeyId,
      JSON.stringify(rejection.headers),
      rejection.bodySha256,
    ],
  );
}

/**
 * Records a signature as seen for `windowMs`; false when it was already seen inside its
 * window (a replay). An expired record is taken over, so the table needs no sweep to work.
 */
export async function claimSignature(
  db: Queryable,
  digest: string,
  windowMs: number,
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO hook_signature_replays (signature_digest, expires_at)
     VALUES ($1, now() + $2 * interval '1 millisecond')
     ON CONFLICT (signature_digest) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE hook_signature_replays.expires_at <= now()
     RETURNING signature_digest`,
    [digest, windowMs],
  );
  return result.rowCount === 1;
}

export async function deleteExpiredSignatures(db: Queryable, limit: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM hook_signature_replays WHERE signature_digest IN (
       SELECT signature_digest FROM hook_signature_replays WHERE expires_at <= now() LIMIT $1)`,
    [limit],
  );
  return result.rowCount ?? 0;
}
