/**
 * How runs, tasks, definitions and triggers look to clients: GraphQL objects (camelCase,
 * enum statuses in upper case) and REST bodies (snake_case, statuses as stored).
 */
import type { StoredDefinition, Trigger } from './definition-store';
import type { DeadLetter } from './dead-letters';
import type { StoredRunEvent } from './run-event-history';
import type { TaskState, WorkflowRun } from './run-store';

/** The run's lease as the lock it is: `workflow_<id>`, held by one coordinator at a time. */
function leaseOf(run: WorkflowRun) {
  if (run.leaseOwner === null || run.leaseExpiresAt === null) return null;
  return {
    lockId: `workflow_${run.id}`,
    owner: run.leaseOwner,
    expiresAt: run.leaseExpiresAt.toISOString(),
    fencingToken: run.fencingToken,
  };
}

export function workflowToGraphQL(run: WorkflowRun) {
  return {
    __typename: 'Workflow' as const,
    id: run.id,
    definitionName: run.definitionName,
    definitionVersion: run.definitionVersion,
    status: run.status.toUpperCase(),
    input: run.input,
    output: run.output,
    error: run.error,
    degraded: run.degraded,
    correlationId: run.correlationId,
    hookEventId: run.hookEventId,
    lease: leaseOf(run),
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    completedAt: run.completedAt?.toISOString() ?? null,
  };
}

export type GraphQLWorkflow = ReturnType<typeof workflowToGraphQL>;

export function taskToGraphQL(task: TaskState) {
  return {
    id: task.taskId,
    type: task.type,
    status: task.status.toUpperCase(),
    attempts: task.attempts,
    input: task.input,
    output: task.output,
    error: task.error,
    degraded: task.degraded,
    startedAt: task.startedAt?.toISOString() ?? null,
    completedAt: task.completedAt?.toISOString() ?? null,
    invocation: task.invocationId
      ? { __typename: 'ModelInvocation' as const, id: task.invocationId }
      : null,
  };
}

/** A stored event as the WorkflowEvent type (the gateway's live events have this shape too). */
export function runEventToGraphQL(event: StoredRunEvent) {
  const { data } = event;
  return {
    id: event.id,
    type: data.type,
    workflowId: data.workflowId,
    taskId: data.taskId ?? null,
    attempt: data.attempt ?? null,
    status: data.status,
    error: data.error ?? null,
    output: data.output ?? null,
    degraded: data.degraded ?? false,
    correlationId: event.correlationid,
    occurredAt: event.time,
  };
}

export function runEventToRest(event: StoredRunEvent) {
  const { data } = event;
  return {
    event_id: event.id,
    type: data.type,
    task_id: data.taskId ?? null,
    attempt: data.attempt ?? null,
    status: data.status,
    error: data.error ?? null,
    output: data.output ?? null,
    degraded: data.degraded ?? false,
    correlation_id: event.correlationid,
    occurred_at: event.time,
  };
}

export function definitionToGraphQL(stored: StoredDefinition) {
  return {
    name: stored.name,
    version: stored.version,
    tasks: stored.definition.tasks,
    createdAt: stored.createdAt.toISOString(),
  };
}

export function triggerToGraphQL(trigger: Trigger) {
  return { ...trigger, createdAt: trigger.createdAt.toISOString() };
}

export function deadLetterToGraphQL(letter: DeadLetter) {
  return {
    ...letter,
    firstFailedAt: letter.firstFailedAt.toISOString(),
    lastFailedAt: letter.lastFailedAt.toISOString(),
    replayedAt: letter.replayedAt?.toISOString() ?? null,
  };
}

/** `lease`: include the run's lease (for callers allowed to see operator information). */
export function workflowToRest(
  run: WorkflowRun,
  tasks: TaskState[],
  include: { lease: boolean } = { lease: false },
) {
  return {
    workflow_id: run.id,
    definition_name: run.definitionName,
    definition_version: run.definitionVersion,
    status: run.status,
    input: run.input,
    output: run.output,
    error: run.error,
    degraded: run.degraded,
    correlation_id: run.correlationId,
    hook_event_id: run.hookEventId,
    cancel_requested: run.cancelRequested,
    ...(include.lease ? { lease: restLease(leaseOf(run)) } : {}),
    created_at: run.createdAt.toISOString(),
    started_at: run.startedAt?.toISOString() ?? null,
    completed_at: run.completedAt?.toISOString() ?? null,
    tasks: tasks.map((task) => ({
      task_id: task.taskId,
      type: task.type,
      status: task.status,
      attempts: task.attempts,
      depends_on: task.dependsOn,
      input: task.input,
      output: task.output,
      error: task.error,
      degraded: task.degraded,
      invocation_id: task.invocationId,
      started_at: task.startedAt?.toISOString() ?? null,
      completed_at: task.completedAt?.toISOString() ?? null,
    })),
  };
}

function restLease(lease: ReturnType<typeof leaseOf>) {
  return (
    lease && {
      lock_id: lease.lockId,
      owner: lease.owner,
      expires_at: lease.expiresAt,
      fencing_token: lease.fencingToken,
    }
  );
}

export function definitionToRest(stored: StoredDefinition) {
  return {
    name: stored.name,
    version: stored.version,
    tasks: stored.definition.tasks,
    created_at: stored.createdAt.toISOString(),
  };
}

export function triggerToRest(trigger: Trigger) {
  return {
    id: trigger.id,
    source: trigger.source,
    action: trigger.action,
    definition_name: trigger.definitionName,
    created_at: trigger.createdAt.toISOString(),
  };
}

/** GraphQL sends absent optional input fields as null; the definition schema wants them absent. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, item]) => item !== null || key === 'input')
      .map(([key, item]) => [key, key === 'input' ? item : withoutNulls(item)]),
  );
}
