/**
 * A run's event history: every task and completion event stored with the step it
 * announces (workflow_run_events, migrations/007), published yet or not, in the order the
 * engine made them. It is what `Workflow.events` answers and what a `workflowEvents`
 * subscription replays before its live events.
 */
import type { Queryable } from '../../platform/db/pool';
import type { EventEnvelope } from '../../platform/events/envelope';
import type { WorkflowEventData } from '../../platform/events/workflow-events';

export type StoredRunEvent = EventEnvelope<WorkflowEventData>;

/** The events of each run, oldest first, by workflow id (runs without events are absent). */
export async function findRunEvents(
  db: Queryable,
  workflowIds: readonly string[],
): Promise<Map<string, StoredRunEvent[]>> {
  const result = await db.query<{ workflow_id: string; envelope: StoredRunEvent }>(
    `SELECT workflow_id, envelope FROM workflow_run_events
     WHERE workflow_id = ANY($1::uuid[]) ORDER BY workflow_id, seq`,
    [workflowIds],
  );
  const byRun = new Map<string, StoredRunEvent[]>();
  for (const row of result.rows) {
    const events = byRun.get(row.workflow_id) ?? [];
    events.push(row.envelope);
    byRun.set(row.workflow_id, events);
  }
  return byRun;
}
