/**
 * The resilience parts one service needs, built the same way everywhere: its alert
 * manager (log + Alertmanager webhook when ALERTMANAGER_URL is set), its breaker registry,
 * the health monitor that closes breakers of recovered dependencies, and the monitor of
 * its database pool. The service adds `workers` to its workers, `healthChecks()` to its
 * /health and `registerRoutes` for GET /admin/v1/alerts.
 */
import type { FastifyInstance } from 'fastify';

import { AlertManager } from '../alerts/alert-manager';
import { AlertmanagerSink } from '../alerts/alertmanager-sink';
import { registerAlertsRoute } from '../alerts/alerts-route';
import type { Authenticator } from '../auth/authenticator';
import type { ServiceName } from '../config';
import { type MonitoredPool, createDatabase } from '../db/pool';
import { PoolMonitor } from '../db/pool-monitor';
import type { HealthCheck } from '../health';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { Runtime } from '../runtime';
import type { Worker } from '../service';
import { BreakerRegistry } from './breaker-registry';
import { HealthMonitor } from './health-monitor';

export interface ServiceResilience {
  alerts: AlertManager;
  breakers: BreakerRegistry;
  healthMonitor: HealthMonitor;
  poolMonitor: PoolMonitor;
  /** Start with the service's other workers. */
  workers: Worker[];
  healthChecks(): HealthCheck[];
  registerRoutes(app: FastifyInstance, authenticator: Authenticator): void;
}

export function createServiceResilience(
  runtime: Runtime,
  options: { service: ServiceName; log: Logger; metrics: ServiceMetrics; db: MonitoredPool },
): ServiceResilience {
  const { config } = runtime;
  const { log, metrics } = options;
  const alerts = new AlertManager({
    service: options.service,
    log,
    metrics,
    repeatIntervalMs: config.alerts.repeatIntervalMs,
    maxPerMinute: config.alerts.maxPerMinute,
    sinks: config.alerts.alertmanagerUrl
      ? [new AlertmanagerSink({ url: config.alerts.alertmanagerUrl })]
      : [],
  });
  const breakers = new BreakerRegistry({
    defaults: {
      failureThreshold: config.resilience.breakerFailureThreshold,
      halfOpenAfterMs: config.resilience.breakerHalfOpenAfterMs,
    },
    log,
    alerts,
    metrics,
  });
  const healthMonitor = new HealthMonitor({
    breakers,
    intervalMs: config.resilience.healthMonitorIntervalMs,
    log,
  });
  const poolMonitor = new PoolMonitor({
    pool: options.db,
    intervalMs: config.database.pool.statsIntervalMs,
    log,
    metrics,
    alerts,
  });
  const flushAlerts: Worker = {
    name: 'alert-manager',
    start: async () => undefined,
    stop: () => alerts.flush(),
  };
  return {
    alerts,
    breakers,
    healthMonitor,
    poolMonitor,
    workers: [flushAlerts, poolMonitor, healthMonitor],
    healthChecks: () => [poolMonitor.healthCheck(), breakers.healthCheck()],
    registerRoutes: (app, authenticator) => registerAlertsRoute(app, { alerts, authenticator }),
  };
}

/**
 * The pool a service works with: the runtime's database, the configured size, lifetime,
 * idle, acquisition and leak limits, and the service's name as PostgreSQL's
 * application_name (so `pg_stat_activity` tells the services apart).
 */
export function createServiceDatabase(
  runtime: Runtime,
  service: ServiceName,
  log: Logger,
): MonitoredPool {
  const { database } = runtime.config;
  return createDatabase(
    {
      url: runtime.databaseUrl,
      max: database.poolMax,
      applicationName: `omninode-${service}`,
      connectionTimeoutMillis: database.pool.acquireTimeoutMs,
      idleTimeoutMillis: database.pool.idleTimeoutMs,
      maxLifetimeSeconds: database.pool.maxLifetimeSeconds,
      leakThresholdMs: database.pool.leakThresholdMs,
    },
    log,
  );
}
