/**
 * The stored events a workflowEvents subscription replays before its live ones, read
 * through the gateway's federated executor with the subscriber's own identity (so the
 * same permissions apply): one run's events, or those of every run a hook event started.
 */
import { parse } from 'graphql';

import type { GatewayContext } from '../gateway-context';
import { type QueryRunner, queryData } from './query-runner';
import type { WorkflowEventPayload } from './workflow-event-hub';

const EVENT_FIELDS =
  'id type workflowId taskId attempt status error output degraded correlationId occurredAt';

const RUN_HISTORY = parse(`query RunHistory($id: ID!) {
  workflow(id: $id) { hookEvent { id } events { ${EVENT_FIELDS} } }
}`);

/** Runs one hook event may start: one per matching trigger, far below this. */
const MAX_RUNS_PER_HOOK_EVENT = 100;

const HOOK_EVENT_HISTORY = parse(`query HookEventHistory($hookEventId: ID!) {
  workflows(filter: { hookEventId: $hookEventId }, first: ${MAX_RUNS_PER_HOOK_EVENT}) {
    events { ${EVENT_FIELDS} }
  }
}`);

/**
 * One run's stored events, oldest first; none for a run that does not exist (yet), or
 * that `hookEventId`, when given, did not start.
 */
export async function runHistory(
  runQuery: QueryRunner,
  context: GatewayContext,
  workflowId: string,
  hookEventId?: string,
): Promise<WorkflowEventPayload[]> {
  const data = await queryData(runQuery, RUN_HISTORY, { id: workflowId }, context);
  const run = data?.['workflow'] as
    { hookEvent: { id: string } | null; events: RawHistoryEvent[] } | null | undefined;
  if (!run || (hookEventId !== undefined && run.hookEvent?.id !== hookEventId)) return [];
  return run.events.map(toPayload);
}

/** The stored events of every run a hook event started, oldest first across the runs. */
export async function hookEventHistory(
  runQuery: QueryRunner,
  context: GatewayContext,
  hookEventId: string,
): Promise<WorkflowEventPayload[]> {
  const data = await queryData(runQuery, HOOK_EVENT_HISTORY, { hookEventId }, context);
  const runs = (data?.['workflows'] ?? []) as Array<{ events: RawHistoryEvent[] }>;
  // Each run's events are in order; a stable sort by time interleaves the runs and keeps it.
  return runs
    .flatMap((run) => run.events.map(toPayload))
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
}

/** A history event as the query answers it: absent fields are null. */
interface RawHistoryEvent {
  id: string;
  type: WorkflowEventPayload['type'];
  workflowId: string;
  taskId: string | null;
  attempt: number | null;
  status: string;
  error: string | null;
  output: unknown;
  degraded: boolean;
  correlationId: string;
  occurredAt: string;
}

function toPayload(event: RawHistoryEvent): WorkflowEventPayload {
  return {
    id: event.id,
    type: event.type,
    workflowId: event.workflowId,
    status: event.status,
    degraded: event.degraded,
    correlationId: event.correlationId,
    occurredAt: event.occurredAt,
    ...(event.taskId === null ? {} : { taskId: event.taskId }),
    ...(event.attempt === null ? {} : { attempt: event.attempt }),
    ...(event.error === null ? {} : { error: event.error }),
    ...(event.output === null ? {} : { output: event.output }),
  };
}
