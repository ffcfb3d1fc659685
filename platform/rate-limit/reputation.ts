/**
 * Reputation: a score in [0, 1] per API key that scales its request limit.
 *
 *   limit = floor(base * (0.5 + 1.25 * reputation))
 *
 * so the limit moves between half the base (reputation 0) and 1.75 times the base
 * (reputation 1), and reputation 0.8 gives 1.5 times the base (1500 for the default
 * 1000). A key with no history starts at 0.4, which gives exactly the base: a new key is
 * neither trusted nor suspected. Violations and error answers lower it; successes raise
 * it slowly, so trust is earned over many requests and lost over few.
 */

export const REPUTATION_FORMULA = { offset: 0.5, slope: 1.25 } as const;

/** The reputation at which the adaptive limit equals the base. */
export const INITIAL_REPUTATION = (1 - REPUTATION_FORMULA.offset) / REPUTATION_FORMULA.slope;

/** Changes of reputation per event; tuned so ~500 successes undo one refused request's penalty. */
export const REPUTATION_CHANGES = {
  success: 0.000_1,
  clientError: -0.005,
  // A 5xx is mostly our fault, yet a key that keeps provoking them deserves less trust.
  serverError: -0.002,
  violation: -0.05,
} as const;

/** A reputation is kept this long after its last change; then the key starts afresh. */
export const REPUTATION_TTL_MS = 30 * 24 * 3_600_000;

export function clampReputation(reputation: number): number {
  return Math.min(1, Math.max(0, reputation));
}

export function adaptiveLimit(baseLimit: number, reputation: number): number {
  const multiplier =
    REPUTATION_FORMULA.offset + REPUTATION_FORMULA.slope * clampReputation(reputation);
  return Math.max(1, Math.floor(baseLimit * multiplier + 1e-9));
}
