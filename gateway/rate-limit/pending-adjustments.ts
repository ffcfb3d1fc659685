/**
 * Reputation changes and cost refunds that wait for the subject's next decision, so they
 * travel inside that one Redis call instead of costing a call of their own. A subject
 * that goes quiet has its changes flushed by the limiter's timer after `maxAgeMs`.
 */
import type { Adjustment, Refund } from '../../platform/rate-limit/limiter-store';

interface Pending {
  reputationSubject: string | undefined;
  delta: number;
  refunds: Refund[];
  sinceMs: number;
}

// One decision carries at most this many refunds; the rest ride on the next.
const MAX_REFUNDS_PER_DECISION = 16;

export class PendingAdjustments {
  private readonly pending = new Map<string, Pending>();

  addReputation(subject: string, reputationSubject: string, delta: number): void {
    this.entry(subject, reputationSubject).delta += delta;
  }

  addRefund(subject: string, refund: Refund): void {
    this.entry(subject, undefined).refunds.push(refund);
  }

  /** Removes and returns what `subject` has pending. */
  take(subject: string): { delta: number; refunds: Refund[] } {
    const pending = this.pending.get(subject);
    if (!pending) return { delta: 0, refunds: [] };
    const refunds = pending.refunds.splice(0, MAX_REFUNDS_PER_DECISION);
    const delta = pending.delta;
    pending.delta = 0;
    if (pending.refunds.length === 0) this.pending.delete(subject);
    return { delta, refunds };
  }

  /** Puts back what a failed decision took. */
  restore(
    subject: string,
    reputationSubject: string | undefined,
    taken: { delta: number; refunds: Refund[] },
  ): void {
    if (taken.delta === 0 && taken.refunds.length === 0) return;
    const pending = this.entry(subject, reputationSubject);
    pending.delta += taken.delta;
    pending.refunds.unshift(...taken.refunds);
  }

  /** Removes and returns every subject's changes older than `maxAgeMs`. */
  takeStale(nowMs: number, maxAgeMs: number): Adjustment[] {
    const stale: Adjustment[] = [];
    for (const [subject, pending] of this.pending) {
      if (nowMs - pending.sinceMs < maxAgeMs) continue;
      this.pending.delete(subject);
      stale.push({
        ...(pending.reputationSubject && pending.delta !== 0
          ? { reputation: { subject: pending.reputationSubject, delta: pending.delta } }
          : {}),
        refunds: pending.refunds,
      });
    }
    return stale;
  }

  get size(): number {
    return this.pending.size;
  }

  private entry(subject: string, reputationSubject: string | undefined): Pending {
    let pending = this.pending.get(subject);
    if (!pending) {
      pending = { reputationSubject, delta: 0, refunds: [], sinceMs: Date.now() };
      this.pending.set(subject, pending);
    }
    pending.reputationSubject ??= reputationSubject;
    return pending;
  }
}
