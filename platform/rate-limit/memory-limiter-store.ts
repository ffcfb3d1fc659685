/**
 * The limiter store of the embedded default (no REDIS_URL): the same sliding window log
 * and reputation rules as the Lua script, in process memory. Decisions run synchronously
 * between awaits, so they are as atomic within the process as the script is in Redis;
 * limits are per process, which is what a single embedded process needs.
 */
import type {
  Adjustment,
  Decision,
  DecisionInput,
  LimiterStore,
  Refund,
  TierOutcome,
} from './limiter-store';
import {
  INITIAL_REPUTATION,
  REPUTATION_TTL_MS,
  adaptiveLimit,
  clampReputation,
} from './reputation';

interface Entry {
  atMs: number;
  id: string;
  units: number;
}

interface WindowLog {
  /** Oldest first: entries are appended in time order. */
  entries: Entry[];
  units: number;
  windowMs: number;
}

// Logs of subjects that never return are dropped by a sweep every this many decisions.
const SWEEP_EVERY_DECISIONS = 10_000;

export class MemoryLimiterStore implements LimiterStore {
  private readonly logs = new Map<string, WindowLog>();
  private readonly reputations = new Map<string, { value: number; expiresAtMs: number }>();
  private decisionsSinceSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async decide(input: DecisionInput): Promise<Decision> {
    const nowMs = this.now();
    if (++this.decisionsSinceSweep >= SWEEP_EVERY_DECISIONS) this.sweep(nowMs);
    let reputation: number | undefined;
    if (input.reputation) {
      reputation = this.reputationOf(input.reputation.subject, nowMs);
      if (input.reputation.delta !== 0) {
        reputation = this.setReputation(
          input.reputation.subject,
          reputation + input.reputation.delta,
          nowMs,
        );
      }
    }
    this.applyRefunds(input.refunds);

    let allowed = true;
    let retryAfterMs = 0;
    const evaluated = input.tiers.map((tier) => {
      const limit =
        tier.adaptive && reputation !== undefined
          ? adaptiveLimit(tier.limit, reputation)
          : tier.limit;
      const log = this.liveLog(tier.key, tier.windowMs, nowMs);
      const fits = log.units + tier.units <= limit;
      if (!fits) {
        allowed = false;
        retryAfterMs = Math.max(
          retryAfterMs,
          retryAfter(log, tier.units, limit, tier.windowMs, nowMs),
        );
      }
      return { tier, limit, log, fits };
    });

    if (allowed) {
      for (const { tier, log } of evaluated) {
        if (!tier.record || tier.units <= 0) continue;
        log.entries.push({ atMs: nowMs, id: input.entryId, units: tier.units });
        log.units += tier.units;
        this.logs.set(tier.key, log);
      }
    } else if (input.reputation && reputation !== undefined) {
      reputation = this.setReputation(
        input.reputation.subject,
        reputation - input.reputation.violationPenalty,
        nowMs,
      );
    }

    const tiers: TierOutcome[] = evaluated.map(({ tier, limit, log, fits }) => ({
      tier: tier.tier,
      key: tier.key,
      limit,
      remaining: Math.max(0, limit - log.units),
      resetMs: log.entries[0] ? log.entries[0].atMs + tier.windowMs - nowMs : tier.windowMs,
      windowMs: tier.windowMs,
      allowed: fits,
    }));
    return { allowed, retryAfterMs, tiers, reputation };
  }

  async adjust(adjustments: Adjustment[]): Promise<void> {
    const nowMs = this.now();
    for (const adjustment of adjustments) {
      this.applyRefunds(adjustment.refunds);
      const change = adjustment.reputation;
      if (change)
        this.setReputation(
          change.subject,
          this.reputationOf(change.subject, nowMs) + change.delta,
          nowMs,
        );
    }
  }

  async readReputation(subject: string): Promise<number | undefined> {
    const stored = this.reputations.get(subject);
    return stored && stored.expiresAtMs > this.now() ? stored.value : undefined;
  }

  async resetReputation(subject: string): Promise<void> {
    this.reputations.delete(subject);
  }

  async writeReputation(subject: string, reputation: number): Promise<void> {
    this.setReputation(subject, reputation, this.now());
  }

  private reputationOf(subject: string, nowMs: number): number {
    const stored = this.reputations.get(subject);
    return stored && stored.expiresAtMs > nowMs ? stored.value : INITIAL_REPUTATION;
  }

  private setReputation(subject: string, reputation: number, nowMs: number): number {
    const value = clampReputation(reputation);
    this.reputations.set(subject, { value, expiresAtMs: nowMs + REPUTATION_TTL_MS });
    return value;
  }

  private applyRefunds(refunds: Refund[]): void {
    for (const refund of refunds) {
      const log = this.logs.get(refund.key);
      const entry = log?.entries.find(
        (candidate) => candidate.id === refund.entryId && candidate.units === refund.chargedUnits,
      );
      if (!log || !entry) continue;
      const back = Math.min(refund.chargedUnits, refund.refundUnits);
      entry.units -= back;
      log.units -= back;
    }
  }

  private sweep(nowMs: number): void {
    this.decisionsSinceSweep = 0;
    for (const [key, log] of this.logs) {
      const newest = log.entries[log.entries.length - 1];
      if (!newest || newest.atMs <= nowMs - log.windowMs) this.logs.delete(key);
    }
    for (const [subject, stored] of this.reputations) {
      if (stored.expiresAtMs <= nowMs) this.reputations.delete(subject);
    }
  }

  /** The tier's log with the entries older than the window dropped. */
  private liveLog(key: string, windowMs: number, nowMs: number): WindowLog {
    const log = this.logs.get(key);
    if (!log) return { entries: [], units: 0, windowMs };
    const cutoffMs = nowMs - windowMs;
    let expired = 0;
    while (expired < log.entries.length && (log.entries[expired]?.atMs ?? Infinity) <= cutoffMs) {
      log.units -= log.entries[expired]?.units ?? 0;
      expired += 1;
    }
    if (expired > 0) log.entries.splice(0, expired);
    if (log.entries.length === 0) {
      this.logs.delete(key);
      return { entries: [], units: 0, windowMs };
    }
    return log;
  }
}

function retryAfter(
  log: WindowLog,
  units: number,
  limit: number,
  windowMs: number,
  nowMs: number,
): number {
  if (units > limit) return windowMs;
  const needed = log.units + units - limit;
  let freed = 0;
  for (const entry of log.entries) {
    freed += entry.units;
    if (freed >= needed) return entry.atMs + windowMs - nowMs;
  }
  return windowMs;
}
