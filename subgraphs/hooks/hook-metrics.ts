/** The hooks subgraph's own Prometheus series, made once per service registry. */
import { Gauge } from 'prom-client';

import type { ServiceMetrics } from '../../platform/metrics';

export interface HookMetrics {
  /** outcome: accepted, duplicate, invalid, rejected_signature, unavailable. */
  received: ReturnType<ServiceMetrics['counter']>;
  published: ReturnType<ServiceMetrics['counter']>;
  publishFailures: ReturnType<ServiceMetrics['counter']>;
  /** Rows the event bus refused for good, set aside. */
  rejected: ReturnType<ServiceMetrics['counter']>;
  publishDuration: ReturnType<ServiceMetrics['histogram']>;
  /** 1 while the publish-failure alert is firing. */
  publishAlerting: Gauge;
  statusUpdates: ReturnType<ServiceMetrics['counter']>;
}

export function createHookMetrics(metrics: ServiceMetrics): HookMetrics {
  return {
    received: metrics.counter('hooks_received_total', 'Webhook deliveries by outcome', ['outcome']),
    published: metrics.counter(
      'hooks_outbox_published_total',
      'Hook events published to workflow.events',
      [],
    ),
    publishFailures: metrics.counter(
      'hooks_outbox_publish_failures_total',
      'Failed outbox publish attempts (one per batch)',
      [],
    ),
    rejected: metrics.counter(
      'hooks_outbox_rejected_total',
      'Hook events the event bus refused for good (too large, invalid); their events are marked failed',
      [],
    ),
    publishDuration: metrics.histogram(
      'hooks_outbox_publish_duration_seconds',
      'Time to publish one outbox batch',
      [],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    publishAlerting: new Gauge({
      name: 'hooks_outbox_publish_alerting',
      help: '1 while outbox publishing has failed more times in a row than the alert threshold',
      registers: [metrics.registry],
    }),
    statusUpdates: metrics.counter(
      'hooks_status_updates_total',
      'Hook event status changes from workflow completions',
      ['status'],
    ),
  };
}
