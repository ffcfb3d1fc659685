/**
 * The outbox queries over workflow_run_events (migrations/007): rows are inserted by the
 * run writer's statements (run-writer.ts); a row is in the outbox until it is marked
 * published, and stays afterwards as the run's event history (run-event-history.ts).
 */
import type { EventEnvelope } from '../../../platform/events/envelope';
import type { Queryable } from '../../../platform/db/pool';

/** Which of the two workflow topics an event goes to. */
export type WorkflowTopic = 'tasks' | 'completions';

/** An event ready to be stored with its write and published after the commit. */
export interface StoredEvent {
  topic: WorkflowTopic;
  /** Keyed by workflow id, so one run's events stay in one partition, in order. */
  key: string;
  envelope: EventEnvelope;
}

export async function markPublished(db: Queryable, eventIds: readonly string[]): Promise<void> {
  await db.query(
    `UPDATE workflow_run_events SET published_at = now()
     WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL`,
    [eventIds],
  );
}

/**
 * Claims up to `limit` rows whose time to be published has come, oldest first, pushing
 * their `publish_after` out by `claimMs` so no other sweeper takes them meanwhile. One
 * statement, no transaction held: a claimer that dies leaves rows that come due again.
 * `excluding`: events this process is publishing right now.
 */
export async function claimDue(
  db: Queryable,
  options: { limit: number; claimMs: number; excluding: readonly string[] },
): Promise<Array<StoredEvent & { attempts: number }>> {
  const result = await db.query<{
    seq: string;
    topic: WorkflowTopic;
    workflow_id: string;
    envelope: EventEnvelope;
    attempts: number;
  }>(
    `WITH due AS (
       SELECT event_id FROM workflow_run_events
       WHERE published_at IS NULL AND rejected_at IS NULL AND publish_after <= now()
         AND event_id <> ALL($3::uuid[])
       ORDER BY seq LIMIT $1
       FOR UPDATE SKIP LOCKED
     )
     UPDATE workflow_run_events o
     SET publish_after = now() + $2 * interval '1 millisecond', attempts = o.attempts + 1
     FROM due WHERE o.event_id = due.event_id
     RETURNING o.seq, o.topic, o.workflow_id, o.envelope, o.attempts`,
    [options.limit, options.claimMs, options.excluding],
  );
  // UPDATE ... RETURNING does not keep the subquery's order.
  return result.rows
    .sort((a, b) => Number(a.seq) - Number(b.seq))
    .map((row) => ({
      topic: row.topic,
      key: row.workflow_id,
      envelope: row.envelope,
      attempts: row.attempts,
    }));
}

/** Takes events the broker refused for good out of the outbox; they stay the run's history. */
export async function markRejected(
  db: Queryable,
  eventIds: readonly string[],
  error: string,
): Promise<void> {
  await db.query(
    `UPDATE workflow_run_events SET rejected_at = now(), last_error = $2
     WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL`,
    [eventIds, error.slice(0, 2_000)],
  );
}

export async function recordPublishFailure(
  db: Queryable,
  eventIds: readonly string[],
  failure: { error: string; retryInMs: number },
): Promise<void> {
  await db.query(
    `UPDATE workflow_run_events
     SET last_error = $2, publish_after = now() + $3 * interval '1 millisecond'
     WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL`,
    [eventIds, failure.error.slice(0, 2_000), failure.retryInMs],
  );
}

/** Rows waiting to be published, and how old the oldest is (for health and metrics). */
export async function outboxBacklog(
  db: Queryable,
): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const result = await db.query<{ pending: string; oldest_age: number | null }>(
    `SELECT count(*) AS pending,
            extract(epoch FROM now() - min(created_at))::float8 AS oldest_age
     FROM workflow_run_events WHERE published_at IS NULL AND rejected_at IS NULL`,
  );
  const row = result.rows[0];
  return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: row?.oldest_age ?? 0 };
}
