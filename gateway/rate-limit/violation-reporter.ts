/**
 * What happens beside a refusal: a structured log line, an audit entry, and an alert that
 * fires at most once a minute per subject (and once a minute for a limiter outage), with
 * a metric for each, so a flood raises one alert rather than thousands.
 */
import type { AlertManager } from '../../platform/alerts/alert-manager';
import type { Logger } from '../../platform/logger';
import type { ServiceMetrics } from '../../platform/metrics';

/** The part of platform/audit's AuditLog the limiter writes to. */
export interface AuditSink {
  record(entry: {
    action: string;
    outcome: 'success' | 'failure';
    reason?: string;
    actorKind?: 'api_key';
    keyId?: string;
    ip?: string;
    route?: string;
    operation?: string;
    requestId?: string;
    detail?: Record<string, unknown>;
  }): void;
}

export interface Violation {
  tier: string;
  subject: string;
  keyId: string | undefined;
  ip: string;
  route: string | undefined;
  operation: string | undefined;
  requestId: string;
  limit: number;
  retryAfterSeconds: number;
}

const ALERT_INTERVAL_MS = 60_000;
// Bounds the memory of which subjects alerted lately under a flood of distinct addresses.
const MAX_TRACKED_SUBJECTS = 10_000;

export class ViolationReporter {
  private readonly lastAlertMs = new Map<string, number>();
  private readonly violations;
  private readonly alertCounter;

  constructor(
    private readonly log: Logger,
    metrics: ServiceMetrics,
    private readonly audit: AuditSink | undefined,
    private readonly alerts?: AlertManager,
  ) {
    this.violations = metrics.counter(
      'rate_limit_violations_total',
      'Requests refused by a rate limit, by tier',
      ['tier'],
    );
    this.alertCounter = metrics.counter(
      'rate_limit_alerts_total',
      'Rate-limit alerts raised (at most one a minute per subject)',
      ['kind'],
    );
  }

  violation(violation: Violation): void {
    this.violations.inc({ tier: violation.tier });
    const fields = {
      tier: violation.tier,
      subject: violation.subject,
      keyId: violation.keyId,
      ip: violation.ip,
      route: violation.route,
      operation: violation.operation,
      requestId: violation.requestId,
      limit: violation.limit,
      retryAfterSeconds: violation.retryAfterSeconds,
    };
    if (this.audit) {
      this.audit.record({
        action: 'rate_limit.exceeded',
        outcome: 'failure',
        reason: violation.tier,
        ...(violation.keyId ? { actorKind: 'api_key' as const, keyId: violation.keyId } : {}),
        ip: violation.ip,
        ...(violation.route ? { route: violation.route } : {}),
        ...(violation.operation ? { operation: violation.operation } : {}),
        requestId: violation.requestId,
        detail: {
          limit: violation.limit,
          retry_after: violation.retryAfterSeconds,
          subject: violation.subject,
        },
      });
      this.log.warn(fields, 'rate limit exceeded');
    } else {
      // Without an audit log (tests that build the limiter alone) the line itself is the record.
      this.log.warn({ ...fields, audit: true }, 'rate limit exceeded');
    }
    this.alert(`violation:${violation.subject}`, 'rate_limit_exceeded', fields);
  }

  storeUnavailable(error: unknown, failureMode: 'open' | 'closed'): void {
    this.alert('store', 'rate_limiter_unavailable', { err: error, failureMode });
  }

  private alert(dedupKey: string, kind: string, fields: Record<string, unknown>): void {
    const nowMs = Date.now();
    const last = this.lastAlertMs.get(dedupKey);
    if (last !== undefined && nowMs - last < ALERT_INTERVAL_MS) return;
    if (this.lastAlertMs.size >= MAX_TRACKED_SUBJECTS) this.lastAlertMs.clear();
    this.lastAlertMs.set(dedupKey, nowMs);
    this.alertCounter.inc({ kind });
    if (!this.alerts) {
      this.log.error({ ...fields, alert: kind }, 'alert');
      return;
    }
    // The manager's own throttle turns a storm over many subjects into a few notifications.
    this.alerts.fire({
      name: kind,
      severity: kind === 'rate_limiter_unavailable' ? 'critical' : 'warning',
      labels:
        kind === 'rate_limiter_unavailable'
          ? {}
          : { subject: String(fields['subject'] ?? 'unknown') },
      summary:
        kind === 'rate_limiter_unavailable'
          ? `The rate-limit store is unavailable; limits fail ${String(fields['failureMode'])}`
          : `Rate limit exceeded by ${String(fields['subject'] ?? 'a caller')}`,
    });
  }
}
