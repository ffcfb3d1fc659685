/** The outbox queries of the relay: read pending rows in order, mark them, record failures. */
import type { EventEnvelope } from '../../../platform/events/envelope';
import type { Queryable } from '../../../platform/db/pool';

export interface PendingOutboxRow {
  id: number;
  eventId: string;
  partitionKey: string;
  envelope: EventEnvelope;
  attempts: number;
}

/** The oldest unpublished rows, in insertion order (which is per-source order). */
export async function fetchPendingOutbox(
  db: Queryable,
  limit: number,
): Promise<PendingOutboxRow[]> {
  const result = await db.query<{
    id: number;
    event_id: string;
    partition_key: string;
    envelope: EventEnvelope;
    attempts: number;
  }>(
    `SELECT id, event_id, partition_key, envelope, attempts FROM hook_outbox
     WHERE published_at IS NULL AND rejected_at IS NULL ORDER BY id LIMIT $1`,
    [limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    eventId: row.event_id,
    partitionKey: row.partition_key,
    envelope: row.envelope,
    attempts: row.attempts,
  }));
}

/**
 * Marks rows published and their events 'published' with a history row, in one statement.
 * An event that already moved on (its workflow finished before this mark landed) keeps its
 * status; the history still records the publish. Rows marked before are left alone, so a
 * repeated mark adds nothing.
 */
export async function markOutboxPublished(
  db: Queryable,
  rowIds: readonly number[],
  detail: Record<string, unknown>,
): Promise<number> {
  const result = await db.query(
    `WITH marked AS (
       UPDATE hook_outbox SET published_at = now(), attempts = attempts + 1
       WHERE id = ANY($1::bigint[]) AND published_at IS NULL
       RETURNING event_id
     ), events AS (
       UPDATE hook_events AS e
       SET status = CASE WHEN e.status = 'received' THEN 'published' ELSE e.status END,
           published_at = coalesce(e.published_at, now()),
           updated_at = now()
       FROM marked WHERE e.id = marked.event_id
       RETURNING e.id
     )
     INSERT INTO hook_event_history (event_id, status, detail)
     SELECT id, 'published', $2 FROM events`,
    [rowIds, JSON.stringify(detail)],
  );
  return result.rowCount ?? 0;
}

export async function recordOutboxFailure(
  db: Queryable,
  failure: { rowIds: readonly number[]; error: string; retryInMs: number },
): Promise<void> {
  await db.query(
    `UPDATE hook_outbox
     SET attempts = attempts + 1, last_error = $2,
         next_attempt_at = now() + $3 * interval '1 millisecond'
     WHERE id = ANY($1::bigint[]) AND published_at IS NULL`,
    [failure.rowIds, failure.error.slice(0, 2_000), failure.retryInMs],
  );
}

/**
 * Sets aside a row the event bus refused for good: out of the pending rows, its event
 * failed with the reason in its history, in one statement.
 */
export async function rejectOutboxRow(
  db: Queryable,
  rowId: number,
  error: { reason: string; message: string },
): Promise<void> {
  await db.query(
    `WITH rejected AS (
       UPDATE hook_outbox SET rejected_at = now(), attempts = attempts + 1, last_error = $2
       WHERE id = $1 AND published_at IS NULL AND rejected_at IS NULL
       RETURNING event_id
     ), events AS (
       UPDATE hook_events AS e SET status = 'failed', updated_at = now()
       FROM rejected WHERE e.id = rejected.event_id
       RETURNING e.id
     )
     INSERT INTO hook_event_history (event_id, status, detail)
     SELECT id, 'failed', $3 FROM events`,
    [
      rowId,
      error.message.slice(0, 2_000),
      JSON.stringify({ reason: 'rejected by the event bus', code: error.reason }),
    ],
  );
}

export interface OutboxBacklog {
  pending: number;
  oldestPendingAgeMs: number | null;
}

export async function outboxBacklog(db: Queryable): Promise<OutboxBacklog> {
  const result = await db.query<{ pending: number; oldest_age_ms: number | null }>(
    `SELECT count(*)::int AS pending,
            (extract(epoch FROM now() - min(created_at)) * 1000)::float8 AS oldest_age_ms
     FROM hook_outbox WHERE published_at IS NULL AND rejected_at IS NULL`,
  );
  const row = result.rows[0];
  return {
    pending: row?.pending ?? 0,
    oldestPendingAgeMs:
      row?.oldest_age_ms === null || row === undefined ? null : Math.round(row.oldest_age_ms),
  };
}
