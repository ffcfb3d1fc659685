/**
 * Response headers of a limit decision, in the two conventions clients know:
 * - X-RateLimit-Limit / -Remaining / -Reset (UTC epoch seconds) / -Resource, as GitHub
 *   sends them, for the tier closest to its limit (or the one that refused);
 * - the IETF fields (draft-ietf-httpapi-ratelimit-headers): RateLimit-Policy lists every
 *   tier that applied (`"key";q=1500;w=60`), RateLimit the binding one (`"key";r=12;t=41`).
 * Retry-After (seconds) only on refusals. The cost tier is reported in `extensions.cost`
 * instead: its unit is not a request.
 */
import type { Decision, TierOutcome, TierRequest } from '../../platform/rate-limit/limiter-store';

export function rateLimitHeaders(
  decision: Decision,
  requests: TierRequest[],
  nowMs: number = Date.now(),
): Record<string, string> {
  const reported = decision.tiers
    .map((outcome, index) => ({ outcome, request: requests[index] }))
    .filter(
      ({ outcome, request }) =>
        outcome.tier !== 'cost' && (request?.record === true || !outcome.allowed),
    )
    .map(({ outcome }) => outcome);
  const binding = bindingTier(reported);
  if (!binding) return {};

  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(binding.limit),
    'x-ratelimit-remaining': String(binding.remaining),
    'x-ratelimit-reset': String(Math.ceil((nowMs + binding.resetMs) / 1000)),
    'x-ratelimit-resource': policyName(binding),
    'ratelimit-policy': reported
      .map((tier) => `"${policyName(tier)}";q=${tier.limit};w=${Math.round(tier.windowMs / 1000)}`)
      .join(', '),
    ratelimit: `"${policyName(binding)}";r=${binding.remaining};t=${Math.ceil(binding.resetMs / 1000)}`,
  };
  if (!decision.allowed) headers['retry-after'] = String(retryAfterSeconds(decision.retryAfterMs));
  return headers;
}

export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/** The refusing tier, else the one with the smallest share of its limit left. */
function bindingTier(tiers: TierOutcome[]): TierOutcome | undefined {
  const refused = tiers.find((tier) => !tier.allowed);
  if (refused) return refused;
  let binding: TierOutcome | undefined;
  for (const tier of tiers) {
    if (!binding || tier.remaining / tier.limit < binding.remaining / binding.limit) binding = tier;
  }
  return binding;
}

/** `ip`, `key`, or the endpoint's name (`workflow-execute`) from its storage key. */
function policyName(tier: TierOutcome): string {
  return tier.tier === 'endpoint' ? (tier.key.split(':')[1] ?? 'endpoint') : tier.tier;
}
