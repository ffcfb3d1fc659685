/**
 * The pool monitor: a Worker that samples a pool's statistics every `intervalMs` into
 * Prometheus gauges and the `database_pool` entry of /health, raises
 * `database_pool_high_utilisation` above 90% of the connections in use, and turns each
 * acquisition timeout into a `database_pool_exhausted` alert. Both resolve at the first
 * sample where the pool is back below the threshold with nobody waiting.
 */
import { Gauge } from 'prom-client';

import type { AlertManager } from '../alerts/alert-manager';
import type { HealthCheck } from '../health';
import { Lifecycle } from '../lifecycle';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { Worker } from '../service';
import type { MonitoredPool, PoolStats } from './pool';

export interface PoolMonitorOptions {
  pool: MonitoredPool;
  intervalMs: number;
  log: Logger;
  metrics?: ServiceMetrics;
  alerts?: AlertManager;
  /** @default 0.9 */
  highUtilisation?: number;
}

export const POOL_EXHAUSTED_ALERT = 'database_pool_exhausted';
export const POOL_HIGH_UTILISATION_ALERT = 'database_pool_high_utilisation';

export class PoolMonitor implements Worker {
  readonly name = 'pool-monitor';
  private readonly lifecycle = new Lifecycle('pool-monitor');
  private readonly log: Logger;
  private readonly highUtilisation: number;
  private readonly connections: Gauge<'state'> | undefined;
  private readonly queries: Gauge<'stat'> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSample: (PoolStats & { sampled_at: string }) | undefined;

  constructor(private readonly options: PoolMonitorOptions) {
    this.log = options.log.child({ component: 'pool-monitor' });
    this.highUtilisation = options.highUtilisation ?? 0.9;
    const registers = options.metrics ? [options.metrics.registry] : [];
    if (options.metrics) {
      this.connections = new Gauge({
        name: 'db_pool_connections',
        help: 'Pooled PostgreSQL connections by state (sampled), and callers waiting for one',
        labelNames: ['state'] as const,
        registers,
      });
      this.queries = new Gauge({
        name: 'db_pool_queries',
        help: 'Queries through the pool (sampled): total count, average and p95 milliseconds',
        labelNames: ['stat'] as const,
        registers,
      });
    }
    options.pool.onExhausted((stats) =>
      options.alerts?.fire({
        name: POOL_EXHAUSTED_ALERT,
        severity: 'critical',
        summary: 'The database pool is exhausted: callers are refused with POOL_EXHAUSTED',
        description: `All ${stats.max} connections stayed busy for the whole acquisition timeout; ${stats.waiting} callers waiting.`,
      }),
    );
  }

  start(): Promise<void> {
    return this.lifecycle.start(async () => {
      this.sample();
      this.timer = setInterval(() => this.sample(), this.options.intervalMs);
      this.timer.unref();
    });
  }

  stop(): Promise<void> {
    return this.lifecycle.stop(async () => clearInterval(this.timer));
  }

  /** Takes one sample now (also what the timer does). */
  sample(): PoolStats {
    const stats = this.options.pool.stats();
    this.lastSample = { ...stats, sampled_at: new Date().toISOString() };
    this.connections?.set({ state: 'active' }, stats.active);
    this.connections?.set({ state: 'idle' }, stats.idle);
    this.connections?.set({ state: 'waiting' }, stats.waiting);
    this.queries?.set({ stat: 'total' }, stats.totalQueries);
    this.queries?.set({ stat: 'avg_ms' }, stats.avgQueryMs);
    this.queries?.set({ stat: 'p95_ms' }, stats.p95QueryMs);

    const high = stats.utilisation > this.highUtilisation;
    if (high) {
      this.options.alerts?.fire({
        name: POOL_HIGH_UTILISATION_ALERT,
        severity: 'warning',
        summary: `Database pool utilisation is ${Math.round(stats.utilisation * 100)}%`,
        description: `${stats.active} of ${stats.max} connections in use, ${stats.waiting} waiting.`,
      });
    } else {
      this.options.alerts?.resolve(POOL_HIGH_UTILISATION_ALERT);
    }
    if (!high && stats.waiting === 0) this.options.alerts?.resolve(POOL_EXHAUSTED_ALERT);
    this.log.debug({ pool: stats }, 'pool sampled');
    return stats;
  }

  healthCheck(): HealthCheck {
    return {
      name: 'database_pool',
      critical: false,
      check: async () => ({ ...this.options.pool.stats(), last_sample: this.lastSample ?? null }),
    };
  }
}
