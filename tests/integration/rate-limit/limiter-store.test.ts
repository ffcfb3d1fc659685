/**
 * The two limiter stores against one contract: the Lua script on the real Redis and the
 * in-process store of the embedded default must decide alike. Every limit is checked
 * under concurrent load: exactly the limit is admitted, never one more.
 */
import { Redis } from 'ioredis';

import type {
  DecisionInput,
  LimiterStore,
  TierRequest,
} from '../../../platform/rate-limit/limiter-store';
import { MemoryLimiterStore } from '../../../platform/rate-limit/memory-limiter-store';
import { RedisLimiterStore } from '../../../platform/rate-limit/redis-limiter-store';
import { INITIAL_REPUTATION } from '../../../platform/rate-limit/reputation';
import { TEST_REDIS_URL, uniqueName } from '../../support/environment';

const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
const prefix = `${uniqueName('rl_store')}:`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

let entrySequence = 0;
const tier = (
  overrides: Partial<TierRequest> & Pick<TierRequest, 'key' | 'limit'>,
): TierRequest => ({
  tier: 'key',
  windowMs: 60_000,
  units: 1,
  record: true,
  adaptive: false,
  ...overrides,
});
const input = (tiers: TierRequest[], extra: Partial<DecisionInput> = {}): DecisionInput => ({
  entryId: `e${++entrySequence}`,
  tiers,
  refunds: [],
  ...extra,
});

async function admitted(
  store: LimiterStore,
  count: number,
  make: () => DecisionInput,
): Promise<number> {
  const decisions = await Promise.all(Array.from({ length: count }, () => store.decide(make())));
  return decisions.filter((decision) => decision.allowed).length;
}

describe.each([
  ['redis', () => new RedisLimiterStore(redis, prefix)],
  ['memory', () => new MemoryLimiterStore()],
])('%s limiter store', (_name, makeStore) => {
  let store: LimiterStore;
  beforeAll(() => {
    store = makeStore();
  });
  const key = (name: string) => `${_name}:${name}:${uniqueName('k')}`;

  it('admits exactly the limit under concurrent load', async () => {
    const subject = key('exact');
    expect(await admitted(store, 250, () => input([tier({ key: subject, limit: 100 })]))).toBe(100);

    const refused = await store.decide(input([tier({ key: subject, limit: 100 })]));
    expect(refused).toMatchObject({
      allowed: false,
      tiers: [{ limit: 100, remaining: 0, allowed: false }],
    });
    expect(refused.retryAfterMs).toBeGreaterThan(55_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('records a request in every tier or in none', async () => {
    const wide = key('wide');
    const narrow = key('narrow');
    const tiers = () => [
      tier({ key: wide, limit: 10 }),
      tier({ key: narrow, limit: 4, tier: 'endpoint' }),
    ];

    expect(await admitted(store, 12, () => input(tiers()))).toBe(4);

    // The wide tier saw only the 4 admitted requests: 6 more fit once the narrow tier is gone.
    expect(await admitted(store, 12, () => input([tier({ key: wide, limit: 10 })]))).toBe(6);
  });

  it('checks a check-only tier without consuming it', async () => {
    const shared = key('ip');
    for (let i = 0; i < 3; i++) {
      const decision = await store.decide(
        input([tier({ key: shared, limit: 3, record: false, tier: 'ip' })]),
      );
      expect(decision.tiers[0]?.remaining).toBe(3);
    }
    expect(
      await admitted(store, 5, () => input([tier({ key: shared, limit: 3, tier: 'ip' })])),
    ).toBe(3);
    expect(
      (await store.decide(input([tier({ key: shared, limit: 3, record: false, tier: 'ip' })])))
        .allowed,
    ).toBe(false);
  });

  it('scales an adaptive limit by reputation, from the very next call', async () => {
    const subject = uniqueName('rep');
    const log = key('adaptive');
    const decide = () =>
      input([tier({ key: log, limit: 100, adaptive: true })], {
        reputation: { subject, delta: 0, violationPenalty: 0 },
      });

    // No history: the initial reputation gives exactly the base.
    expect((await store.decide(decide())).tiers[0]?.limit).toBe(100);
    expect(await store.readReputation(subject)).toBeUndefined();

    await store.writeReputation(subject, 0.8);
    expect(await admitted(store, 200, decide)).toBe(149);
    expect((await store.decide(decide())).tiers[0]).toMatchObject({ limit: 150, remaining: 0 });

    await store.writeReputation(subject, 0);
    expect((await store.decide(decide())).tiers[0]?.limit).toBe(50);
  });

  it('lowers the reputation on a refusal and applies carried changes, bounded to [0, 1]', async () => {
    const subject = uniqueName('rep');
    const log = key('penalty');
    const decide = (delta: number) =>
      store.decide(
        input([tier({ key: log, limit: 1 })], {
          reputation: { subject, delta, violationPenalty: 0.05 },
        }),
      );

    expect((await decide(0)).reputation).toBeCloseTo(INITIAL_REPUTATION);
    const refused = await decide(0);
    expect(refused.allowed).toBe(false);
    expect(refused.reputation).toBeCloseTo(INITIAL_REPUTATION - 0.05);
    expect((await decide(5)).reputation).toBe(0.95);
    await store.adjust([{ reputation: { subject, delta: -10 }, refunds: [] }]);
    expect(await store.readReputation(subject)).toBe(0);

    await store.resetReputation(subject);
    expect(await store.readReputation(subject)).toBeUndefined();
  });

  it('charges weighted units and gives back a refund on the next call', async () => {
    const log = key('cost');
    const charge = (entryId: string, units: number, refunds: DecisionInput['refunds'] = []) =>
      store.decide(
        input([tier({ key: log, limit: 100, units, tier: 'cost' })], { entryId, refunds }),
      );

    const first = await charge('first', 60);
    expect(first.tiers[0]?.remaining).toBe(40);
    expect((await charge('second', 60)).allowed).toBe(false);

    const refunded = await charge('third', 60, [
      { key: log, entryId: 'first', chargedUnits: 60, refundUnits: 50 },
    ]);
    expect(refunded.allowed).toBe(true);
    expect(refunded.tiers[0]?.remaining).toBe(30);
  });

  it('admits exactly the weighted budget under concurrent load', async () => {
    const log = key('cost-load');
    expect(
      await admitted(store, 40, () =>
        input([tier({ key: log, limit: 100, units: 7, tier: 'cost' })]),
      ),
    ).toBe(14);
  });
});
