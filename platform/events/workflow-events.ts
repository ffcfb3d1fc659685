/**
 * The data of events on workflow.tasks and workflow.completions: written by the
 * workflows subgraph, read by the gateway's subscriptions. Field names here are the
 * GraphQL `WorkflowEvent` fields, so the gateway passes them through unchanged.
 */
import { EventTypes } from './topics';

export type WorkflowEventKind =
  | 'TASK_STARTED'
  | 'TASK_COMPLETED'
  | 'TASK_FAILED'
  | 'WORKFLOW_COMPLETED'
  | 'WORKFLOW_FAILED'
  | 'WORKFLOW_CANCELLED';

export interface WorkflowEventData {
  type: WorkflowEventKind;
  workflowId: string;
  /** Set on task events. */
  taskId?: string;
  /** The task's or workflow's status after the event, lower case as stored. */
  status: string;
  error?: string;
  degraded: boolean;
  /** The hook event that triggered the run, when one did. */
  hookEventId?: string;
  /** Task events: the attempt number; completions: the workflow's output summary. */
  attempt?: number;
  output?: unknown;
}

export const WORKFLOW_EVENT_TYPES: Record<WorkflowEventKind, string> = {
  TASK_STARTED: EventTypes.taskStarted,
  TASK_COMPLETED: EventTypes.taskCompleted,
  TASK_FAILED: EventTypes.taskFailed,
  WORKFLOW_COMPLETED: EventTypes.workflowCompleted,
  WORKFLOW_FAILED: EventTypes.workflowFailed,
  WORKFLOW_CANCELLED: EventTypes.workflowCancelled,
};

export function isCompletion(kind: WorkflowEventKind): boolean {
  return (
    kind === 'WORKFLOW_COMPLETED' || kind === 'WORKFLOW_FAILED' || kind === 'WORKFLOW_CANCELLED'
  );
}

/** Hook events on workflow.events carry this data; the CloudEvent id is the hook event id. */
export interface HookEventData {
  eventId: string;
  source: string;
  action: string;
  resource: string;
  resourceId: string;
  data: unknown;
  receivedAt: string;
}
