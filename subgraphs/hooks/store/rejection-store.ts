/**
 * Refused deliveries (audit rows) and the sweep of signatures already accepted (replay
 * protection; they are claimed with the event, in grouped-event-writer.ts).
 */
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

export async function deleteExpiredSignatures(db: Queryable, limit: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM hook_signature_replays WHERE signature_digest IN (
       SELECT signature_digest FROM hook_signature_replays WHERE expires_at <= now() LIMIT $1)`,
    [limit],
  );
  return result.rowCount ?? 0;
}
