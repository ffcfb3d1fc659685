/** Topic names and event types: the contract between the services (see DESIGN.md, Events). */

export const Topics = {
  /** Hook events, keyed by source so each source's events stay in order. */
  workflowEvents: 'workflow.events',
  /** Poison messages from workflow.events with the error and where they came from. */
  workflowEventsDlq: 'workflow.events.dlq',
  /** Task started / completed / failed. */
  workflowTasks: 'workflow.tasks',
  /** One result summary per finished workflow. */
  workflowCompletions: 'workflow.completions',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const EventTypes = {
  hookReceived: 'dev.omninode.hook.received',
  taskStarted: 'dev.omninode.workflow.task.started',
  taskCompleted: 'dev.omninode.workflow.task.completed',
  taskFailed: 'dev.omninode.workflow.task.failed',
  workflowCompleted: 'dev.omninode.workflow.completed',
  workflowFailed: 'dev.omninode.workflow.failed',
  workflowCancelled: 'dev.omninode.workflow.cancelled',
} as const;

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** Applies KAFKA_TOPIC_PREFIX so several deployments or test runs can share one broker. */
export function topicName(prefix: string, topic: TopicName): string {
  return `${prefix}${topic}`;
}
