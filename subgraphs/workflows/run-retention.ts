/**
 * Deletes finished runs older than the retention (WORKFLOW_RETENTION_DAYS), with their
 * tasks and their event history, a batch at a time on a timer, and the consumer's
 * processed-event records of the same age. Without it every run, task and event would be
 * kept forever. Unfinished runs are never deleted, however old.
 *
 * Processed-event records guard against a redelivered workflow.events message starting
 * its runs again; past the retention a redelivery is not expected (Kafka keeps messages
 * for days, not a month), and the runs it started are gone anyway.
 */
import type { Queryable } from '../../platform/db/pool';
import type { Logger } from '../../platform/logger';
import { PeriodicJob } from '../../platform/periodic-job';

const BATCH = 500;

/** Deletes up to BATCH expired runs; answers how many went. */
export async function deleteExpiredRuns(db: Queryable, retentionDays: number): Promise<number> {
  // One statement: the tasks go with their runs (the events cascade from the run).
  const result = await db.query(
    `WITH expired AS (
       SELECT id FROM workflows
       WHERE created_at < now() - $1 * interval '1 day'
         AND status IN ('completed', 'failed', 'cancelled')
       ORDER BY created_at LIMIT $2
       FOR UPDATE SKIP LOCKED
     ),
     tasks AS (
       DELETE FROM workflow_tasks WHERE workflow_id IN (SELECT id FROM expired)
     )
     DELETE FROM workflows WHERE id IN (SELECT id FROM expired)`,
    [retentionDays, BATCH],
  );
  return result.rowCount ?? 0;
}

async function deleteExpiredProcessedEvents(db: Queryable, retentionDays: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM processed_events WHERE ctid IN (
       SELECT ctid FROM processed_events
       WHERE processed_at < now() - $1 * interval '1 day' LIMIT $2
     )`,
    [retentionDays, BATCH],
  );
  return result.rowCount ?? 0;
}

/** Repeats a batch delete until a batch comes back short; answers the total deleted. */
async function untilShortBatch(deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

export function createRunRetention(options: {
  db: Queryable;
  retentionDays: number;
  log: Logger;
  /** @default 600000 (10 min) */
  intervalMs?: number;
}): PeriodicJob {
  const { db, retentionDays, log } = options;
  return new PeriodicJob({
    name: 'run-retention',
    intervalMs: options.intervalMs ?? 600_000,
    runAtStart: true,
    log,
    run: async () => {
      const runs = await untilShortBatch(() => deleteExpiredRuns(db, retentionDays));
      const processed = await untilShortBatch(() =>
        deleteExpiredProcessedEvents(db, retentionDays),
      );
      if (runs + processed > 0) {
        log.info(
          { runs, processedEvents: processed, retentionDays },
          'expired workflow runs deleted',
        );
      }
    },
  });
}
