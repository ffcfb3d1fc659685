/**
 * The health monitor: a Worker that, every `intervalMs`, asks each dependency whose
 * breaker is open for its /health. A dependency that answers 2xx has its breaker moved
 * to half-open, and the breaker's trial request (when it has one) is sent through it at
 * once: its success closes the breaker, which sends the recovery alert.
 */
import { request } from 'undici';

import type { Logger } from '../logger';
import { PeriodicJob } from '../periodic-job';
import type { Worker } from '../service';
import type { BreakerRegistry } from './breaker-registry';
import type { CircuitBreaker } from './circuit-breaker';

export interface HealthMonitorOptions {
  breakers: BreakerRegistry;
  intervalMs: number;
  log: Logger;
  /** @default 2000 */
  timeoutMs?: number;
}

export class HealthMonitor implements Worker {
  readonly name = 'health-monitor';
  private readonly log: Logger;
  private readonly job: PeriodicJob;

  constructor(private readonly options: HealthMonitorOptions) {
    this.log = options.log.child({ component: 'health-monitor' });
    this.job = new PeriodicJob({
      name: this.name,
      intervalMs: options.intervalMs,
      run: () => this.checkAll(),
      log: this.log,
    });
  }

  start(): Promise<void> {
    return this.job.start();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** One round over every open breaker with a health URL (exposed for tests). */
  async checkAll(): Promise<void> {
    const open = this.options.breakers
      .all()
      .filter((breaker) => breaker.state === 'OPEN' && breaker.healthUrl);
    await Promise.all(open.map((breaker) => this.check(breaker)));
  }

  private async check(breaker: CircuitBreaker): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 2_000;
    try {
      const response = await request(breaker.healthUrl as string, {
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await response.body.dump();
      if (response.statusCode >= 300) {
        this.log.debug(
          { breaker: breaker.name, status: response.statusCode },
          'dependency still unhealthy',
        );
        return;
      }
    } catch (error) {
      this.log.debug({ breaker: breaker.name, err: error }, 'dependency still unreachable');
      return;
    }
    breaker.markRecovered();
    if (!breaker.trial) return;
    const trial = breaker.trial;
    await breaker
      .execute((signal) => trial(AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])))
      .catch((error: unknown) =>
        this.log.warn({ breaker: breaker.name, err: error }, 'half-open trial failed'),
      );
  }
}
