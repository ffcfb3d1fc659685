/**
 * The queries of the workflow event outbox (migrations/007): rows are inserted by the run
 * writer's statements (run-writer.ts); this is the rest of their life.
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

export async function deletePublished(db: Queryable, eventIds: readonly string[]): Promise<void> {
  await db.query('DELETE FROM workflow_event_outbox WHERE event_id = ANY($1::uuid[])', [eventIds]);
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
       SELECT event_id FROM workflow_event_outbox
       WHERE publish_after <= now() AND event_id <> ALL($3::uuid[])
       ORDER BY seq LIMIT $1
       FOR UPDATE SKIP LOCKED
     )
     UPDATE workflow_event_outbox o
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

export async function recordPublishFailure(
  db: Queryable,
  eventIds: readonly string[],
  failure: { error: string; retryInMs: number },
): Promise<void> {
  await db.query(
    `UPDATE workflow_event_outbox
     SET last_error = $2, publish_after = now() + $3 * interval '1 millisecond'
     WHERE event_id = ANY($1::uuid[])`,
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
     FROM workflow_event_outbox`,
  );
  const row = result.rows[0];
  return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: row?.oldest_age ?? 0 };
}
