/**
 * The contract of a rate-limit store: one call decides every tier of a request at once
 * (all tiers admit it or none records it), carrying the reputation change and the cost
 * refunds earlier requests left behind, so the hot path costs exactly one round trip.
 *
 * Algorithm: a sliding window log. Each admitted request is one entry (time, units) per
 * tier; a request fits when the units of the entries younger than the window plus its
 * own stay within the limit. Chosen over GCRA and the sliding window counter because it
 * is exact: "100 per minute" means at most 100 in any 60 seconds (GCRA admits a burst of
 * the limit and then the steady rate, nearly twice the limit in the first minute; the
 * counter interpolates two fixed windows and over- or under-grants near their edge), a
 * weighted entry carries a query's cost, and a refund lowers exactly the entry it concerns.
 * The price is memory: one entry per admitted request per tier inside the window, at most
 * the limit, which at these limits (hundreds to a few thousand a minute) is small.
 */

export type TierName = 'ip' | 'key' | 'endpoint' | 'cost';

export interface TierRequest {
  tier: TierName;
  /** Storage key of this tier's log, without the store's prefix, e.g. `ip:10.0.0.1`. */
  key: string;
  /** Units per window; for an adaptive tier the base, scaled by the subject's reputation. */
  limit: number;
  windowMs: number;
  /** Units this request takes (1 for a request, the estimate for a query cost). */
  units: number;
  /** False for a check-only tier: it must have room for `units`, but nothing is recorded. */
  record: boolean;
  /** Scale `limit` by the reputation (see reputation.ts). */
  adaptive: boolean;
}

/** A cost charged earlier and partly given back now that the actual cost is known. */
export interface Refund {
  key: string;
  /** The entry id the charge was recorded under. */
  entryId: string;
  /** Units charged then. */
  chargedUnits: number;
  /** Units to give back, at most `chargedUnits`. */
  refundUnits: number;
}

export interface ReputationChange {
  /** Whose reputation, e.g. an API key id. */
  subject: string;
  /** Pending change from answers since the last call (successes raise, errors lower). */
  delta: number;
  /** Subtracted when this request is refused. */
  violationPenalty: number;
}

export interface DecisionInput {
  /** Unique per decision (never a client-supplied id: a repeated id would overwrite entries). */
  entryId: string;
  tiers: TierRequest[];
  reputation?: ReputationChange;
  refunds: Refund[];
}

export interface TierOutcome {
  tier: TierName;
  key: string;
  /** The limit that applied (after reputation scaling). */
  limit: number;
  /** Units left in the window after this request. */
  remaining: number;
  /** Milliseconds until the oldest entry leaves the window (the window when empty). */
  resetMs: number;
  windowMs: number;
  allowed: boolean;
}

export interface Decision {
  allowed: boolean;
  /** Milliseconds until the request would fit in every refused tier (0 when allowed). */
  retryAfterMs: number;
  tiers: TierOutcome[];
  /** The subject's reputation after this call, when a reputation was given. */
  reputation: number | undefined;
}

/** Reputation changes and refunds applied outside a decision (for subjects gone quiet). */
export interface Adjustment {
  reputation?: { subject: string; delta: number };
  refunds: Refund[];
}

export interface LimiterStore {
  decide(input: DecisionInput): Promise<Decision>;
  adjust(adjustments: Adjustment[]): Promise<void>;
  readReputation(subject: string): Promise<number | undefined>;
  /** Forgets the subject's reputation, so it starts again at the initial value. */
  resetReputation(subject: string): Promise<void>;
  /** Sets a reputation (admin tools and tests). */
  writeReputation(subject: string, reputation: number): Promise<void>;
}
