/**
 * The limiter store on Redis: every decision is one EVALSHA of the sliding window script
 * (EVAL on NOSCRIPT, which also caches the script again after a Redis restart or
 * failover). Limits travel as arguments on every call, so a new reputation or a changed
 * configuration applies to the very next request.
 *
 * TODO(issue 7 follow-up): on Redis Cluster the keys of one decision live in different
 * slots; a cluster deployment needs the subject as a hash tag in every key.
 */
import { createHash } from 'node:crypto';

import type { RedisClient } from '../cache/redis';
import type {
  Adjustment,
  Decision,
  DecisionInput,
  LimiterStore,
  Refund,
  TierRequest,
} from './limiter-store';
import {
  INITIAL_REPUTATION,
  REPUTATION_FORMULA,
  REPUTATION_TTL_MS,
  clampReputation,
} from './reputation';
import { SLIDING_WINDOW_SCRIPT } from './sliding-window-script';

const SCRIPT_SHA = createHash('sha1').update(SLIDING_WINDOW_SCRIPT).digest('hex');
const NO_SUBJECT = '-';

export class RedisLimiterStore implements LimiterStore {
  constructor(
    private readonly redis: RedisClient,
    /** Prepended to every key, e.g. `onb:rl:`. */
    private readonly keyPrefix: string,
  ) {}

  async decide(input: DecisionInput): Promise<Decision> {
    const answer = await this.run(input.entryId, input.tiers, input.refunds, input.reputation);
    const reputationText = String(answer[2]);
    return {
      allowed: Number(answer[0]) === 1,
      retryAfterMs: Math.max(0, Number(answer[1])),
      reputation: reputationText === '' ? undefined : Number(reputationText),
      tiers: input.tiers.map((tier, index) => {
        const offset = 3 + index * 4;
        return {
          tier: tier.tier,
          key: tier.key,
          limit: Number(answer[offset]),
          remaining: Number(answer[offset + 1]),
          resetMs: Math.max(0, Number(answer[offset + 2])),
          windowMs: tier.windowMs,
          allowed: Number(answer[offset + 3]) === 1,
        };
      }),
    };
  }

  async adjust(adjustments: Adjustment[]): Promise<void> {
    // Rare (subjects that went quiet with a change pending): one pipelined batch.
    const pipeline = this.redis.pipeline();
    for (const adjustment of adjustments) {
      const reputation = adjustment.reputation
        ? {
            subject: adjustment.reputation.subject,
            delta: adjustment.reputation.delta,
            violationPenalty: 0,
          }
        : undefined;
      const { keys, args } = this.scriptArguments('adjust', [], adjustment.refunds, reputation);
      pipeline.eval(SLIDING_WINDOW_SCRIPT, keys.length, ...keys, ...args);
    }
    const results = await pipeline.exec();
    const failure = results?.find(([error]) => error)?.[0];
    if (failure) throw failure;
  }

  async readReputation(subject: string): Promise<number | undefined> {
    const value = await this.redis.get(this.reputationKey(subject));
    return value === null ? undefined : Number(value);
  }

  async resetReputation(subject: string): Promise<void> {
    await this.redis.del(this.reputationKey(subject));
  }

  async writeReputation(subject: string, reputation: number): Promise<void> {
    await this.redis.set(
      this.reputationKey(subject),
      String(clampReputation(reputation)),
      'PX',
      REPUTATION_TTL_MS,
    );
  }

  private async run(
    entryId: string,
    tiers: TierRequest[],
    refunds: Refund[],
    reputation: DecisionInput['reputation'],
  ): Promise<unknown[]> {
    const { keys, args } = this.scriptArguments(entryId, tiers, refunds, reputation);
    try {
      return (await this.redis.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args)) as unknown[];
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await this.redis.eval(
        SLIDING_WINDOW_SCRIPT,
        keys.length,
        ...keys,
        ...args,
      )) as unknown[];
    }
  }

  private scriptArguments(
    entryId: string,
    tiers: TierRequest[],
    refunds: Refund[],
    reputation: DecisionInput['reputation'],
  ): { keys: string[]; args: Array<string | number> } {
    const keys = [this.reputationKey(reputation?.subject ?? NO_SUBJECT)];
    const args: Array<string | number> = [
      entryId,
      tiers.length,
      refunds.length,
      reputation ? 1 : 0,
      reputation?.delta ?? 0,
      reputation?.violationPenalty ?? 0,
      INITIAL_REPUTATION,
      REPUTATION_FORMULA.offset,
      REPUTATION_FORMULA.slope,
      REPUTATION_TTL_MS,
    ];
    for (const tier of tiers) {
      keys.push(this.logKey(tier.key), this.sumKey(tier.key));
      args.push(tier.limit, tier.windowMs, tier.units, tier.record ? 1 : 0, tier.adaptive ? 1 : 0);
    }
    for (const refund of refunds) {
      keys.push(this.logKey(refund.key), this.sumKey(refund.key));
      args.push(refund.entryId, refund.chargedUnits, refund.refundUnits);
    }
    return { keys, args };
  }

  private reputationKey(subject: string): string {
    return `${this.keyPrefix}rep:${subject}`;
  }

  private logKey(key: string): string {
    return `${this.keyPrefix}log:${key}`;
  }

  private sumKey(key: string): string {
    return `${this.keyPrefix}sum:${key}`;
  }
}
