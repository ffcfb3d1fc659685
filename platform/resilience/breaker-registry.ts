/**
 * Every circuit breaker of one service, so their states show in one place: the
 * `circuit_breakers` entry of /health, the `circuit_breaker_state` gauge (0 closed,
 * 1 half-open, 2 open), and alerts: `circuit_breaker_open` fires when a breaker opens and
 * resolves (the recovery alert) when it closes again.
 */
import { Gauge } from 'prom-client';

import type { AlertManager } from '../alerts/alert-manager';
import type { HealthCheck } from '../health';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { type BreakerState, CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';

export interface BreakerDefaults {
  failureThreshold: number;
  halfOpenAfterMs: number;
}

export const BREAKER_OPEN_ALERT = 'circuit_breaker_open';

const GAUGE_VALUE: Record<BreakerState, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };
// Lazily made breakers (one per external host) stop being made past this many.
const MAX_BREAKERS = 1_000;

export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly log: Logger;

  constructor(
    private readonly options: {
      defaults: BreakerDefaults;
      log: Logger;
      alerts?: AlertManager;
      metrics?: ServiceMetrics;
    },
  ) {
    this.log = options.log.child({ component: 'circuit-breakers' });
    if (options.metrics) {
      const breakers = this.breakers;
      new Gauge({
        name: 'circuit_breaker_state',
        help: 'Circuit breaker state by dependency: 0 closed, 1 half-open, 2 open',
        labelNames: ['breaker'] as const,
        registers: [options.metrics.registry],
        collect() {
          for (const breaker of breakers.values())
            this.set({ breaker: breaker.name }, GAUGE_VALUE[breaker.state]);
        },
      });
    }
  }

  /** The breaker named `options.name`, made on first use with these options. */
  get(options: CircuitBreakerOptions): CircuitBreaker {
    const existing = this.breakers.get(options.name);
    if (existing) return existing;
    const breaker = new CircuitBreaker({
      failureThreshold: this.options.defaults.failureThreshold,
      halfOpenAfterMs: this.options.defaults.halfOpenAfterMs,
      ...options,
    });
    if (this.breakers.size < MAX_BREAKERS) this.breakers.set(breaker.name, breaker);
    breaker.onStateChange((state) => this.changed(breaker, state));
    return breaker;
  }

  all(): CircuitBreaker[] {
    return [...this.breakers.values()];
  }

  healthCheck(): HealthCheck {
    return {
      name: 'circuit_breakers',
      critical: false,
      check: async () =>
        Object.fromEntries(this.all().map((breaker) => [breaker.name, breaker.snapshot()])),
    };
  }

  private changed(breaker: CircuitBreaker, state: BreakerState): void {
    const labels = { breaker: breaker.name };
    switch (state) {
      case 'OPEN':
        this.log.warn(
          { breaker: breaker.name, reason: breaker.snapshot().last_failure },
          'circuit breaker opened',
        );
        this.options.alerts?.fire({
          name: BREAKER_OPEN_ALERT,
          severity: 'critical',
          labels,
          summary: `${breaker.name} is failing; its circuit breaker opened`,
          description: `After ${breaker.failureThreshold} consecutive failures calls to ${breaker.name} fail fast. Last failure: ${breaker.snapshot().last_failure ?? 'unknown'}`,
        });
        break;
      case 'HALF_OPEN':
        this.log.info({ breaker: breaker.name }, 'circuit breaker half-open; sending a trial call');
        break;
      case 'CLOSED':
        this.log.info({ breaker: breaker.name }, 'circuit breaker closed; dependency recovered');
        this.options.alerts?.resolve(
          BREAKER_OPEN_ALERT,
          labels,
          `${breaker.name} recovered; its circuit breaker closed`,
        );
        break;
    }
  }
}
