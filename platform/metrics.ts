/**
 * Prometheus metrics: one registry per service (so four services in one process do not
 * collide), default process metrics, and the HTTP request histogram every server records.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets?: number[],
  ): Histogram<L>;
}

let defaultMetricsRegistry: Registry | undefined;

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // Process metrics are per process: collect them once, into the first registry made.
  if (!defaultMetricsRegistry) {
    defaultMetricsRegistry = registry;
    collectDefaultMetrics({ register: registry });
  }
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    httpRequestDuration,
    counter: (name, help, labelNames) =>
      new Counter({ name, help, labelNames, registers: [registry] }),
    histogram: (name, help, labelNames, buckets) =>
      new Histogram({
        name,
        help,
        labelNames,
        registers: [registry],
        ...(buckets ? { buckets } : {}),
      }),
  };
}
