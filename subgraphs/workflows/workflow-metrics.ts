/** The workflows subgraph's own Prometheus series, beside the HTTP ones every service has. */
import type { ServiceMetrics } from '../../platform/metrics';

export function createWorkflowMetrics(metrics: ServiceMetrics) {
  return {
    runsStarted: metrics.counter('workflow_runs_started_total', 'Workflow runs created', [
      'origin',
    ]),
    runsFinished: metrics.counter('workflow_runs_finished_total', 'Workflow runs finished', [
      'status',
    ]),
    runsResumed: metrics.counter(
      'workflow_runs_resumed_total',
      'Runs taken over after their lease expired',
      [],
    ),
    taskAttempts: metrics.counter('workflow_task_attempts_total', 'Task attempts by outcome', [
      'type',
      'outcome',
    ]),
    taskDuration: metrics.histogram(
      'workflow_task_duration_seconds',
      'Duration of one task attempt',
      ['type'],
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    ),
    hookEvents: metrics.counter('workflow_hook_events_total', 'Hook events consumed by outcome', [
      'outcome',
    ]),
    eventPublishFailures: metrics.counter(
      'workflow_event_publish_failures_total',
      'Task and completion events a publish failed for (they stay in the outbox), by who published',
      ['path'],
    ),
    eventsRejected: metrics.counter(
      'workflow_events_rejected_total',
      'Task and completion events the broker refused for good (too large); kept as run history only',
      [],
    ),
    lateEventsPublished: metrics.counter(
      'workflow_events_published_late_total',
      'Task and completion events the outbox sweeper published (not right after their commit)',
      [],
    ),
    staleWrites: metrics.counter(
      'workflow_stale_lease_writes_total',
      'Writes refused by fencing',
      [],
    ),
  };
}

export type WorkflowMetrics = ReturnType<typeof createWorkflowMetrics>;
