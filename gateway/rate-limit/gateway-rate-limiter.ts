/**
 * The gateway's limiter: turns "who asks for what" into the tiers of one store decision,
 * applies the failure mode when the store cannot answer, and keeps what the next
 * decision must carry (reputation changes from answers, cost refunds).
 *
 * Tiers of a request:
 * - ip: requests without a verified API key, per client address. A keyed request only
 *   checks it (an address that exhausted it anonymously is refused even with a key) and
 *   does not consume it, as in flow 7.
 * - key: every request with a key, limit = base scaled by the key's reputation.
 * - endpoint: per caller per action (endpoint-rules.ts), units = how many times the
 *   request performs the action (aliases of executeWorkflow count each).
 * - cost: GraphQL cost points per caller per minute.
 */
import { randomBytes } from 'node:crypto';

import type { Logger } from '../../platform/logger';
import type { ServiceMetrics } from '../../platform/metrics';
import type { Decision, LimiterStore, TierRequest } from '../../platform/rate-limit/limiter-store';
import type { RateLimitConfig } from '../../platform/rate-limit/rate-limit-config';
import { REPUTATION_CHANGES } from '../../platform/rate-limit/reputation';
import type { EndpointRule } from './endpoint-rules';
import { PendingAdjustments } from './pending-adjustments';
import { rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';
import type { ViolationReporter } from './violation-reporter';

const WINDOW_MS = 60_000;
const FLUSH_INTERVAL_MS = 5_000;
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
const MAX_BLOCKED_ADDRESSES = 10_000;

export interface Caller {
  ip: string;
  keyId: string | undefined;
}

export interface LimitRequest {
  caller: Caller;
  requestId: string;
  endpoint?: { rule: EndpointRule; units: number };
  /** Estimated GraphQL cost to charge. */
  cost?: number;
  /** For logs and the audit entry. */
  route?: string;
  operation?: string;
}

export type Verdict =
  | {
      kind: 'allowed';
      headers: Record<string, string>;
      /** Where the cost was charged, for a refund once the actual cost is known. */
      costCharge:
        | { key: string; entryId: string; units: number; limit: number; remaining: number }
        | undefined;
    }
  | {
      kind: 'limited';
      headers: Record<string, string>;
      tier: string;
      limit: number;
      retryAfterSeconds: number;
    }
  /** The store failed and the failure mode is open: no limit applied, no headers. */
  | { kind: 'bypassed' }
  /** The store failed and the failure mode is closed. */
  | { kind: 'unavailable'; retryAfterSeconds: number };

export type AnswerOutcome = 'success' | 'client_error' | 'server_error';

export class GatewayRateLimiter {
  private readonly pending = new PendingAdjustments();
  /** Addresses the ip tier refused lately, so keyed requests from them are refused without a call. */
  private readonly blockedUntilMs = new Map<string, number>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly decisions;
  private readonly storeFailures;

  constructor(
    private readonly store: LimiterStore,
    private readonly config: RateLimitConfig,
    private readonly reporter: ViolationReporter,
    private readonly log: Logger,
    metrics: ServiceMetrics,
  ) {
    this.decisions = metrics.counter(
      'rate_limit_decisions_total',
      'Rate-limit decisions by verdict',
      ['verdict'],
    );
    this.storeFailures = metrics.counter(
      'rate_limit_store_failures_total',
      'Decisions the limiter store could not answer (Redis down or slow), by failure mode',
      ['mode'],
    );
    this.flushTimer = setInterval(
      () => void this.flushStale(FLUSH_INTERVAL_MS),
      FLUSH_INTERVAL_MS,
    ).unref();
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  async decide(request: LimitRequest): Promise<Verdict> {
    const { caller } = request;
    const subject = subjectOf(caller);
    const tiers = this.tiersOf(request, subject);
    const taken = this.pending.take(subject);
    const entryId = randomBytes(9).toString('base64url');

    let decision: Decision;
    try {
      decision = await this.withTimeout(
        this.store.decide({
          entryId,
          tiers,
          refunds: taken.refunds,
          ...(caller.keyId
            ? {
                reputation: {
                  subject: caller.keyId,
                  delta: taken.delta,
                  violationPenalty: -REPUTATION_CHANGES.violation,
                },
              }
            : {}),
        }),
      );
    } catch (error) {
      this.pending.restore(subject, caller.keyId, taken);
      return this.storeFailed(error);
    }

    const headers = rateLimitHeaders(decision, tiers);
    if (decision.allowed) {
      this.decisions.inc({ verdict: 'allowed' });
      const costIndex = tiers.findIndex((tier) => tier.tier === 'cost');
      const costOutcome = decision.tiers[costIndex];
      return {
        kind: 'allowed',
        headers,
        costCharge: costOutcome && {
          key: costOutcome.key,
          entryId,
          units: request.cost ?? 0,
          limit: costOutcome.limit,
          remaining: costOutcome.remaining,
        },
      };
    }

    this.decisions.inc({ verdict: 'limited' });
    const refused = decision.tiers.find((tier) => !tier.allowed);
    const retryAfter = retryAfterSeconds(decision.retryAfterMs);
    const tierName =
      refused?.tier === 'endpoint'
        ? (refused.key.split(':')[1] ?? 'endpoint')
        : (refused?.tier ?? 'unknown');
    if (refused?.tier === 'ip') this.rememberBlocked(caller.ip, decision.retryAfterMs);
    this.reporter.violation({
      tier: tierName,
      subject,
      keyId: caller.keyId,
      ip: caller.ip,
      route: request.route,
      operation: request.operation,
      requestId: request.requestId,
      limit: refused?.limit ?? 0,
      retryAfterSeconds: retryAfter,
    });
    return {
      kind: 'limited',
      headers,
      tier: tierName,
      limit: refused?.limit ?? 0,
      retryAfterSeconds: retryAfter,
    };
  }

  /** Seconds a keyed request from `ip` must still wait because the ip tier refused it lately. */
  blockedSeconds(ip: string): number | undefined {
    const until = this.blockedUntilMs.get(ip);
    if (until === undefined) return undefined;
    const leftMs = until - Date.now();
    if (leftMs <= 0) {
      this.blockedUntilMs.delete(ip);
      return undefined;
    }
    return retryAfterSeconds(leftMs);
  }

  /** Counts an answer towards the key's reputation; it travels with the key's next decision. */
  recordOutcome(caller: Caller, outcome: AnswerOutcome): void {
    if (!caller.keyId || !this.config.enabled) return;
    const delta =
      outcome === 'success'
        ? REPUTATION_CHANGES.success
        : outcome === 'client_error'
          ? REPUTATION_CHANGES.clientError
          : REPUTATION_CHANGES.serverError;
    this.pending.addReputation(subjectOf(caller), caller.keyId, delta);
  }

  /** Gives back cost points the answer did not use; applied by the caller's next decision. */
  refund(
    caller: Caller,
    charge: { key: string; entryId: string; units: number },
    refundUnits: number,
  ): void {
    if (refundUnits <= 0 || charge.units <= 0) return;
    this.pending.addRefund(subjectOf(caller), {
      key: charge.key,
      entryId: charge.entryId,
      chargedUnits: charge.units,
      refundUnits: Math.min(refundUnits, charge.units),
    });
  }

  /** Applies changes that have waited `maxAgeMs` for a decision to ride on (0: all of them). */
  async flushStale(maxAgeMs: number): Promise<void> {
    const stale = this.pending.takeStale(Date.now(), maxAgeMs);
    if (stale.length === 0) return;
    try {
      await this.withTimeout(this.store.adjust(stale));
    } catch (error) {
      this.log.warn({ err: error, subjects: stale.length }, 'rate-limit adjustments lost');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushStale(0);
  }

  private tiersOf(request: LimitRequest, subject: string): TierRequest[] {
    const { caller, endpoint, cost } = request;
    const tiers: TierRequest[] = [
      {
        tier: 'ip',
        key: `ip:${caller.ip}`,
        limit: this.config.ipPerMinute,
        windowMs: WINDOW_MS,
        units: 1,
        record: caller.keyId === undefined,
        adaptive: false,
      },
    ];
    if (caller.keyId) {
      tiers.push({
        tier: 'key',
        key: `key:${caller.keyId}`,
        limit: this.config.keyPerMinute,
        windowMs: WINDOW_MS,
        units: 1,
        record: true,
        adaptive: true,
      });
    }
    if (endpoint && endpoint.units > 0) {
      tiers.push({
        tier: 'endpoint',
        key: `ep:${endpoint.rule.name}:${subject}`,
        limit: endpoint.rule.limitPerMinute,
        windowMs: WINDOW_MS,
        units: endpoint.units,
        record: true,
        adaptive: false,
      });
    }
    if (cost !== undefined) {
      tiers.push({
        tier: 'cost',
        key: `cost:${subject}`,
        limit: this.config.costPerMinute,
        windowMs: WINDOW_MS,
        units: cost,
        record: true,
        adaptive: false,
      });
    }
    return tiers;
  }

  private storeFailed(error: unknown): Verdict {
    const mode = this.config.failureMode;
    this.storeFailures.inc({ mode });
    this.reporter.storeUnavailable(error, mode);
    if (mode === 'open') {
      this.decisions.inc({ verdict: 'bypassed' });
      return { kind: 'bypassed' };
    }
    this.decisions.inc({ verdict: 'unavailable' });
    return { kind: 'unavailable', retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS };
  }

  private rememberBlocked(ip: string, retryAfterMs: number): void {
    if (this.blockedUntilMs.size >= MAX_BLOCKED_ADDRESSES) this.blockedUntilMs.clear();
    this.blockedUntilMs.set(ip, Date.now() + retryAfterMs);
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`rate-limit store did not answer within ${this.config.redisTimeoutMs} ms`),
          ),
        this.config.redisTimeoutMs,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

/** Who a tier counts: the key when there is one, else the address. */
export function subjectOf(caller: Caller): string {
  return caller.keyId ? `key:${caller.keyId}` : `ip:${caller.ip}`;
}
