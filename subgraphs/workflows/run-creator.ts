/**
 * Group commit of run creation for execute requests: runs that concurrent requests create
 * at the same moment are inserted, with their pending tasks, by one statement (one round
 * trip, one commit, one WAL flush) instead of one each. While a statement is in flight new
 * runs queue and go in the next one, so a lone request is inserted at once, with no added
 * delay, and under load one statement carries many (the same scheme as run-writer.ts).
 *
 * Each run is inserted exactly as insertRun (run-store.ts) would insert it: pending,
 * holding its lease with the creator's token, its tasks in the same statement so a run
 * never exists without them, ON CONFLICT DO NOTHING for a repeated id. One statement is
 * one transaction, so nothing is held open while anything else is awaited (PGlite mode).
 *
 * Durability is unchanged: synchronous_commit stays on and a request is answered only
 * after the commit carrying its run was flushed.
 *
 * A statement that fails for a reason other than a lost connection (say one run's input
 * cannot be stored as jsonb) is retried one run at a time, so only the culprit fails.
 */
import { asDatabaseError, type Queryable } from '../../platform/db/pool';
import { isConnectionError } from '../../platform/errors';
import { FIRST_FENCING_TOKEN } from './lease';
import type { NewRun, WorkflowRun } from './run-store';

/** A run an execute request creates: no hook event triggered it. */
export type ExecuteRun = Omit<NewRun, 'hookEventId' | 'triggerEvent'>;

interface Pending {
  run: ExecuteRun;
  /** Serialized before queueing, so a value JSON cannot hold fails its own request only. */
  definitionJson: string;
  inputJson: string;
  tasksJson: string;
  resolve(run: WorkflowRun | undefined): void;
  reject(error: unknown): void;
}

/** Runs one statement inserts at most. */
const MAX_BATCH_RUNS = 256;
/**
 * Statements in flight at once. One: writes queue while a statement commits, so under load
 * each statement carries more of them. On this 2-core bench a second statement in flight
 * only halved the batches (each statement and its socket write costs the process CPU).
 */
const MAX_IN_FLIGHT = 1;

export class RunCreationBatcher {
  private readonly pending: Pending[] = [];
  private inFlight = 0;

  constructor(private readonly db: Queryable) {}

  /**
   * Resolves once committed, with the run as inserted; undefined when a run with that id
   * already existed (nothing was inserted), as insertRun answers.
   */
  insert(run: ExecuteRun): Promise<WorkflowRun | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({
        run,
        definitionJson: JSON.stringify(run.definition),
        inputJson: JSON.stringify(run.input ?? {}),
        tasksJson: JSON.stringify(
          run.definition.tasks.map((task) => ({
            task_id: task.id,
            type: task.type,
            depends_on: task.dependsOn,
          })),
        ),
        resolve,
        reject,
      });
      if (this.inFlight < MAX_IN_FLIGHT) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight += 1;
    try {
      while (this.pending.length > 0) await this.insertBatch(this.takeBatch());
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The next batch, in queue order, with each id at most once (a repeat waits its turn). */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const ids = new Set<string>();
    const later: Pending[] = [];
    while (this.pending.length > 0 && batch.length < MAX_BATCH_RUNS) {
      const item = this.pending.shift() as Pending;
      if (ids.has(item.run.id)) later.push(item);
      else {
        ids.add(item.run.id);
        batch.push(item);
      }
    }
    this.pending.unshift(...later);
    return batch;
  }

  private async insertBatch(batch: Pending[]): Promise<void> {
    let inserted: Map<string, { created_at: Date; lease_expires_at: Date }>;
    try {
      inserted = await this.execute(batch);
    } catch (error) {
      if (batch.length > 1 && !isConnectionError(error)) {
        for (const item of batch) await this.insertBatch([item]);
      } else {
        for (const item of batch) item.reject(asDatabaseError(error));
      }
      return;
    }
    for (const item of batch) {
      const row = inserted.get(item.run.id);
      item.resolve(row ? createdRun(item.run, row) : undefined);
    }
  }

  private async execute(
    batch: Pending[],
  ): Promise<Map<string, { created_at: Date; lease_expires_at: Date }>> {
    const column = <T>(pick: (item: Pending) => T) => batch.map(pick);
    // Only what the database chose comes back: the rest is what was just sent, so the
    // definition and input are not parsed back from jsonb for every run.
    const result = await this.db.query<{ id: string; created_at: Date; lease_expires_at: Date }>(
      `WITH n AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::jsonb[], $5::jsonb[],
                              $6::text[], $7::text[], $8::int[], $9::jsonb[])
           AS n(id, definition_name, definition_version, definition, input, correlation_id,
                lease_owner, lease_ms, tasks)
       ),
       run AS (
         INSERT INTO workflows (id, definition_name, definition_version, definition, input, status,
           hook_event_id, trigger_event, correlation_id, lease_owner, lease_expires_at, fencing_token)
         SELECT id, definition_name, definition_version, definition, input, 'pending', NULL, NULL,
           correlation_id, lease_owner, now() + lease_ms * interval '1 millisecond', $10
         FROM n
         ON CONFLICT DO NOTHING
         RETURNING id, created_at, lease_expires_at
       ),
       tasks AS (
         INSERT INTO workflow_tasks (workflow_id, task_id, type, status, depends_on)
         SELECT run.id, t.task_id, t.type, 'pending', t.depends_on
         FROM run JOIN n ON n.id = run.id,
           jsonb_to_recordset(n.tasks) AS t(task_id text, type text, depends_on text[])
       )
       SELECT * FROM run`,
      [
        column((item) => item.run.id),
        column((item) => item.run.definitionName),
        column((item) => item.run.definitionVersion),
        column((item) => item.definitionJson),
        column((item) => item.inputJson),
        column((item) => item.run.correlationId),
        column((item) => item.run.leaseOwner),
        column((item) => item.run.leaseMs),
        column((item) => item.tasksJson),
        FIRST_FENCING_TOKEN,
      ],
    );
    return new Map(result.rows.map((row) => [row.id, row]));
  }
}

/** The run as the insert stored it (what findRun would answer right after). */
function createdRun(
  run: ExecuteRun,
  row: { created_at: Date; lease_expires_at: Date },
): WorkflowRun {
  return {
    id: run.id,
    definitionName: run.definitionName,
    definitionVersion: run.definitionVersion,
    definition: run.definition,
    input: run.input ?? {},
    status: 'pending',
    hookEventId: null,
    triggerEvent: null,
    correlationId: run.correlationId,
    output: null,
    error: null,
    degraded: false,
    cancelRequested: false,
    leaseOwner: run.leaseOwner,
    leaseExpiresAt: row.lease_expires_at,
    fencingToken: FIRST_FENCING_TOKEN,
    createdAt: row.created_at,
    startedAt: null,
    completedAt: null,
  };
}
