/**
 * Group commit of the engine's writes that change what a run's observers see: task
 * started, completed or failed, a pure task that ran (started and completed in one
 * write), and the run's completion, each with the events announcing it, inserted into the
 * workflow event outbox by the same statement (outbox/). Writes that
 * many runs make at the same moment go to PostgreSQL together, as one statement (one
 * round trip, one commit, one WAL flush), instead of one statement and one commit each.
 * While a statement is in flight new writes queue and go in the next one, so a lone write
 * goes at once, with no added delay, and under load one statement carries many.
 *
 * Fencing is unchanged (see lease.ts): the statement first locks, in id order, every run
 * row that still carries the token its write was made with, and each write updates its
 * task and run only through that locked row. A write of a holder that lost the lease
 * matches nothing and is answered StaleLeaseError; the other writes of the same statement
 * are not affected. One statement is one transaction, so nothing is held open while
 * anything else is awaited (the embedded PGlite mode relies on that).
 *
 * Durability is unchanged too: synchronous_commit stays on, every write is acknowledged
 * only after its commit is flushed. What a statement shares is the commit, not a risk.
 *
 * A statement that fails for a reason other than a lost connection (say one write's
 * output cannot be stored) is retried one write at a time, so only the culprit fails.
 */
import { asDatabaseError, type Queryable } from '../../platform/db/pool';
import { isConnectionError } from '../../platform/errors';
import { type Lease, StaleLeaseError } from './lease';
import type { StoredEvent } from './outbox/outbox-store';
import type { FinalWorkflowStatus } from './run-store';

export interface TaskOutcome {
  output: unknown;
  invocationId?: string | undefined;
  degraded?: boolean | undefined;
}

/** The run's completion, written with the last task's completion. */
export interface RunCompletion {
  status: FinalWorkflowStatus;
  output?: unknown;
  error?: string | undefined;
  degraded: boolean;
}

/** One write: a task's new state and/or the run's. */
export interface RunWrite {
  lease: Lease;
  taskId?: string | undefined;
  /** 'running' (an attempt starts), 'completed', or 'failed' (with `error`, retries spent). */
  taskStatus?: 'running' | 'completed' | 'failed' | undefined;
  error?: string | undefined;
  /** With the attempt number, the write records the attempt start (attempts, input). */
  attempt?: { number: number; input: unknown } | undefined;
  outcome?: TaskOutcome | undefined;
  /** The first write of a run its creator executes marks the run running. */
  markRunning?: boolean | undefined;
  finish?: RunCompletion | undefined;
  /** Stored in the outbox if, and only if, the write is applied. */
  events?: readonly StoredEvent[] | undefined;
}

/**
 * How long a stored event is left to the coordinator that wrote it (publishing right after
 * the commit, with the batcher's retries) before the outbox sweeper may publish it.
 */
export const OUTBOX_PUBLISH_GRACE_MS = 10_000;

interface Pending {
  write: RunWrite;
  resolve(result: { cancelRequested: boolean }): void;
  reject(error: unknown): void;
}

/** Writes one statement carries at most. */
const MAX_BATCH_WRITES = 256;
/**
 * Statements in flight at once. One: writes queue while a statement commits, so under load
 * each statement carries more of them. On this 2-core bench a second statement in flight
 * only halved the batches (each statement and its socket write costs the process CPU).
 */
const MAX_IN_FLIGHT = 1;

export class RunWriteBatcher {
  private readonly pending: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Queryable,
    private readonly outboxGraceMs = OUTBOX_PUBLISH_GRACE_MS,
  ) {}

  /** Resolves once committed, with the run's cancel flag; StaleLeaseError if fenced off. */
  write(write: RunWrite): Promise<{ cancelRequested: boolean }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      if (this.inFlight < MAX_IN_FLIGHT) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight += 1;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH_WRITES);
        await this.writeBatch(batch);
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    let answered: Map<number, boolean>;
    try {
      answered = await this.execute(batch.map((item) => item.write));
    } catch (error) {
      if (batch.length > 1 && !isConnectionError(error)) {
        for (const item of batch) await this.writeBatch([item]);
      } else {
        for (const item of batch) item.reject(asDatabaseError(error));
      }
      return;
    }
    const unanswered: Pending[] = [];
    batch.forEach((item, index) => {
      const cancelRequested = answered.get(index + 1);
      if (cancelRequested === undefined) unanswered.push(item);
      else item.resolve({ cancelRequested });
    });
    // Not fenced through: the lease was lost (or the run finished), or there is no such task.
    for (const item of unanswered) {
      const held = await this.stillHeld(item.write.lease).catch(() => false);
      item.reject(
        held
          ? new Error(`workflow ${item.write.lease.workflowId} has no task ${item.write.taskId}`)
          : new StaleLeaseError(item.write.lease),
      );
    }
  }

  /** Answers, by 1-based position in `writes`, the cancel flag of each write that was applied. */
  private async execute(writes: RunWrite[]): Promise<Map<number, boolean>> {
    const column = <T>(pick: (write: RunWrite) => T) => writes.map(pick);
    const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
    const events = writes.flatMap((write, index) =>
      (write.events ?? []).map((stored) => ({ n: index + 1, stored })),
    );
    const result = await this.db.query<{ n: string; cancel_requested: boolean }>(
      `WITH w AS (
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::int[],
                              $6::jsonb[], $7::jsonb[], $8::text[], $9::bool[], $10::bool[],
                              $11::text[], $12::jsonb[], $13::text[], $14::bool[], $15::text[])
           WITH ORDINALITY AS w(workflow_id, token, task_id, task_status, attempt, input, output,
                                invocation_id, degraded, mark_running, run_status, run_output,
                                run_error, run_degraded, task_error, n)
       ),
       fenced AS (
         SELECT id, fencing_token, cancel_requested FROM workflows
         WHERE (id, fencing_token) IN (SELECT workflow_id, token FROM w)
           AND status IN ('pending', 'running')
         ORDER BY id FOR UPDATE
       ),
       applied AS (
         SELECT w.* , fenced.cancel_requested FROM w
         JOIN fenced ON fenced.id = w.workflow_id AND fenced.fencing_token = w.token
       ),
       tasks AS (
         UPDATE workflow_tasks t SET
           status = a.task_status,
           attempts = COALESCE(a.attempt, t.attempts),
           input = CASE WHEN a.attempt IS NULL THEN t.input ELSE a.input END,
           output = CASE WHEN a.task_status = 'completed' THEN a.output ELSE t.output END,
           invocation_id = CASE WHEN a.task_status = 'completed' THEN a.invocation_id ELSE t.invocation_id END,
           degraded = CASE WHEN a.task_status = 'completed' THEN a.degraded ELSE t.degraded END,
           error = a.task_error,
           started_at = COALESCE(t.started_at, now()),
           completed_at = CASE WHEN a.task_status IN ('completed', 'failed') THEN now() ELSE t.completed_at END
         FROM applied a
         WHERE a.task_id IS NOT NULL AND t.workflow_id = a.workflow_id AND t.task_id = a.task_id
         RETURNING a.n
       ),
       runs AS (
         UPDATE workflows r SET
           status = COALESCE(a.run_status, 'running'),
           started_at = COALESCE(r.started_at, now()),
           output = CASE WHEN a.run_status IS NULL THEN r.output ELSE a.run_output END,
           error = CASE WHEN a.run_status IS NULL THEN r.error ELSE a.run_error END,
           degraded = CASE WHEN a.run_status IS NULL THEN r.degraded ELSE a.run_degraded END,
           completed_at = CASE WHEN a.run_status IS NULL THEN r.completed_at ELSE now() END,
           lease_owner = CASE WHEN a.run_status IS NULL THEN r.lease_owner END,
           lease_expires_at = CASE WHEN a.run_status IS NULL THEN r.lease_expires_at END
         FROM (
           -- A row is updated once per statement: one write per run, a completion first.
           SELECT DISTINCT ON (workflow_id) * FROM applied
           WHERE mark_running OR run_status IS NOT NULL
           ORDER BY workflow_id, run_status NULLS LAST
         ) a
         WHERE r.id = a.workflow_id
         RETURNING r.id
       ),
       done AS (
         SELECT a.n, a.workflow_id, a.cancel_requested FROM applied a
         WHERE (a.task_id IS NULL OR a.n IN (SELECT n FROM tasks))
           AND (a.run_status IS NULL OR a.workflow_id IN (SELECT id FROM runs))
       ),
       outbox AS (
         INSERT INTO workflow_run_events (event_id, workflow_id, topic, envelope, publish_after)
         SELECT e.event_id, d.workflow_id, e.topic, e.envelope,
                now() + $20 * interval '1 millisecond'
         FROM unnest($16::bigint[], $17::uuid[], $18::text[], $19::jsonb[])
           WITH ORDINALITY AS e(n, event_id, topic, envelope, position)
         JOIN done d ON d.n = e.n
         ORDER BY e.position
       )
       SELECT n, cancel_requested FROM done`,
      [
        column((write) => write.lease.workflowId),
        column((write) => write.lease.fencingToken),
        column((write) => write.taskId ?? null),
        column((write) => write.taskStatus ?? null),
        column((write) => write.attempt?.number ?? null),
        column((write) => (write.attempt ? JSON.stringify(write.attempt.input ?? null) : null)),
        column((write) => (write.outcome ? JSON.stringify(write.outcome.output ?? null) : null)),
        column((write) => write.outcome?.invocationId ?? null),
        column((write) => write.outcome?.degraded ?? false),
        column((write) => write.markRunning ?? false),
        column((write) => write.finish?.status ?? null),
        column((write) => json(write.finish?.output)),
        column((write) => write.finish?.error ?? null),
        column((write) => write.finish?.degraded ?? false),
        column((write) => write.error ?? null),
        events.map((event) => event.n),
        events.map((event) => event.stored.envelope.id),
        events.map((event) => event.stored.topic),
        events.map((event) => JSON.stringify(event.stored.envelope)),
        this.outboxGraceMs,
      ],
    );
    return new Map(result.rows.map((row) => [Number(row.n), row.cancel_requested]));
  }

  private async stillHeld(lease: Lease): Promise<boolean> {
    const result = await this.db.query(
      `SELECT 1 FROM workflows WHERE id = $1 AND fencing_token = $2 AND status IN ('pending', 'running')`,
      [lease.workflowId, lease.fencingToken],
    );
    return result.rowCount === 1;
  }
}
