/**
 * The alert manager of one service: every component that notices trouble (a breaker
 * opening, an exhausted pool, a rate-limit storm, failing publishes) hands it an alert,
 * and it decides what is sent where.
 *
 * - Deduplicated: an alert already firing under the same name and labels is not sent
 *   again until `repeatIntervalMs` passed (as Alertmanager expects firing alerts to be
 *   re-sent now and then); its resolution is sent once.
 * - Throttled: at most `maxPerMinute` notifications leave the service per minute, so a
 *   storm of distinct alerts cannot flood the sinks; the rest are counted and logged once.
 * - Sinks: the log always, plus any configured (the Alertmanager webhook). A sink that
 *   fails is logged and does not hold up the caller.
 * - The most recent alerts stay in memory for GET /admin/v1/alerts.
 *
 * Known gap (README, Status): that list is per process and lost on restart; Alertmanager,
 * when configured, is the view across replicas.
 */
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { type Alert, type AlertInput, type AlertSink, alertKey } from './alert';

export interface AlertManagerOptions {
  service: string;
  log: Logger;
  sinks?: AlertSink[];
  metrics?: ServiceMetrics;
  /** Time before a still-firing alert is sent again. @default 300000 (5 min) */
  repeatIntervalMs?: number;
  /** Notifications sent per minute at most, over all alerts. @default 30 */
  maxPerMinute?: number;
  /** Alerts remembered for the admin route. @default 200 */
  historySize?: number;
}

type Outcome = 'sent' | 'deduplicated' | 'throttled';

interface Firing {
  alert: Alert;
  lastSentMs: number;
}

const MINUTE_MS = 60_000;

export class AlertManager {
  private readonly log: Logger;
  private readonly sinks: AlertSink[];
  private readonly repeatIntervalMs: number;
  private readonly maxPerMinute: number;
  private readonly historySize: number;
  private readonly firing = new Map<string, Firing>();
  private readonly history: Alert[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly counter;
  private windowStartMs = 0;
  private sentInWindow = 0;
  private throttledInWindow = 0;

  constructor(private readonly options: AlertManagerOptions) {
    this.log = options.log.child({ component: 'alert-manager' });
    this.sinks = options.sinks ?? [];
    this.repeatIntervalMs = options.repeatIntervalMs ?? 300_000;
    this.maxPerMinute = options.maxPerMinute ?? 30;
    this.historySize = options.historySize ?? 200;
    this.counter = options.metrics?.counter(
      'alerts_total',
      'Alerts raised by this service, by name, status and whether they were sent',
      ['alertname', 'status', 'outcome'],
    );
  }

  /** Raises (or keeps raising) an alert; answers what happened to it. */
  fire(input: AlertInput): Outcome {
    const labels = input.labels ?? {};
    const key = alertKey(input.name, labels);
    const nowMs = Date.now();
    const existing = this.firing.get(key);
    if (existing && nowMs - existing.lastSentMs < this.repeatIntervalMs) {
      return this.count(existing.alert, 'deduplicated');
    }
    const alert: Alert = {
      name: input.name,
      severity: input.severity,
      status: 'firing',
      service: this.options.service,
      labels,
      summary: input.summary,
      description: input.description,
      startsAt: existing?.alert.startsAt ?? new Date(nowMs).toISOString(),
      endsAt: undefined,
    };
    if (!this.takeSendSlot(nowMs)) return this.count(alert, 'throttled');
    this.firing.set(key, { alert, lastSentMs: nowMs });
    this.dispatch(alert);
    return this.count(alert, 'sent');
  }

  /** Ends a firing alert; nothing happens when it was not firing. */
  resolve(
    name: string,
    labels: Record<string, string> = {},
    summary?: string,
  ): Outcome | undefined {
    const key = alertKey(name, labels);
    const existing = this.firing.get(key);
    if (!existing) return undefined;
    this.firing.delete(key);
    const alert: Alert = {
      ...existing.alert,
      status: 'resolved',
      summary: summary ?? existing.alert.summary,
      endsAt: new Date().toISOString(),
    };
    // A resolution is never throttled: dropping it would leave the alert firing forever.
    this.dispatch(alert);
    return this.count(alert, 'sent');
  }

  /** Newest first. */
  recent(limit = 50): Alert[] {
    return this.history.slice(-limit).reverse();
  }

  active(): Alert[] {
    return [...this.firing.values()].map((entry) => entry.alert);
  }

  /** Waits for notifications still being delivered (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private takeSendSlot(nowMs: number): boolean {
    if (nowMs - this.windowStartMs >= MINUTE_MS) {
      if (this.throttledInWindow > 0) {
        this.log.warn({ throttled: this.throttledInWindow }, 'alerts were throttled last minute');
      }
      this.windowStartMs = nowMs;
      this.sentInWindow = 0;
      this.throttledInWindow = 0;
    }
    if (this.sentInWindow >= this.maxPerMinute) {
      this.throttledInWindow += 1;
      return false;
    }
    this.sentInWindow += 1;
    return true;
  }

  private dispatch(alert: Alert): void {
    this.history.push(alert);
    if (this.history.length > this.historySize) this.history.shift();
    this.logAlert(alert);
    for (const sink of this.sinks) {
      const delivery = sink
        .send(alert)
        .catch((error: unknown) =>
          this.log.warn(
            { err: error, sink: sink.name, alert: alert.name },
            'alert delivery failed',
          ),
        )
        .finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
    }
  }

  private logAlert(alert: Alert): void {
    const fields = {
      alert: alert.name,
      severity: alert.severity,
      labels: alert.labels,
      summary: alert.summary,
    };
    if (alert.status === 'resolved') this.log.info(fields, 'alert resolved');
    else if (alert.severity === 'critical') this.log.error(fields, 'alert');
    else this.log.warn(fields, 'alert');
  }

  private count(alert: Alert, outcome: Outcome): Outcome {
    this.counter?.inc({ alertname: alert.name, status: alert.status, outcome });
    return outcome;
  }
}
