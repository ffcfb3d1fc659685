import {
  ModelSelector,
  type ModelSelectorOptions,
  scoreCandidates,
} from '../../../subgraphs/model-metrics/model-selector';

/** A small seeded PRNG (mulberry32) so exploration is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const LATENCY_MS: Record<string, number> = { fast: 10, slow: 50, fresh: 10 };

/** Runs `calls` choices, feeding back an outcome per model; returns how often each was chosen. */
function simulate(
  selector: ModelSelector,
  candidates: string[],
  calls: number,
  fails: (model: string) => boolean,
): Record<string, number> {
  const chosen: Record<string, number> = {};
  for (let i = 0; i < calls; i += 1) {
    const { model } = selector.choose('generate', candidates);
    chosen[model] = (chosen[model] ?? 0) + 1;
    const failed = fails(model);
    selector.observe({
      model,
      taskType: 'generate',
      outcome: failed ? 'error' : 'success',
      latencyMs: LATENCY_MS[model] ?? 10,
      cost: 0,
    });
  }
  return chosen;
}

const options = (extra: ModelSelectorOptions = {}): ModelSelectorOptions => ({
  random: seeded(42),
  ...extra,
});

describe('model selection', () => {
  it('moves traffic away from a model that starts failing and back when it recovers', () => {
    const selector = new ModelSelector(options());
    const models = ['fast', 'slow'];

    const healthy = simulate(selector, models, 200, () => false);
    expect(healthy['fast']).toBeGreaterThan(160);

    simulate(selector, models, 100, (model) => model === 'fast'); // the switch-over
    const failing = simulate(selector, models, 200, (model) => model === 'fast');
    // Only exploration still reaches it: about explorationRate of the calls.
    expect(failing['fast'] ?? 0).toBeLessThan(40);
    expect(failing['fast'] ?? 0).toBeGreaterThan(0);

    simulate(selector, models, 300, () => false); // recovery is noticed through exploration
    const recovered = simulate(selector, models, 200, () => false);
    expect(recovered['fast']).toBeGreaterThan(160);
  });

  it('gives a new model its first calls before trusting the scores', () => {
    const selector = new ModelSelector(options({ minSamples: 5 }));
    simulate(selector, ['fast', 'slow'], 50, () => false);
    const withNew = simulate(selector, ['fast', 'slow', 'fresh'], 5, () => false);
    expect(withNew).toEqual({ fresh: 5 });
  });

  it('answers the only candidate without scoring', () => {
    expect(new ModelSelector(options()).choose('sentiment', ['afinn-sentiment'])).toEqual({
      model: 'afinn-sentiment',
      reason: 'only_candidate',
    });
  });

  it('never explores with an exploration rate of 0', () => {
    const selector = new ModelSelector(options({ explorationRate: 0 }));
    simulate(selector, ['fast', 'slow'], 10, () => false); // minSamples of each
    expect(simulate(selector, ['fast', 'slow'], 100, () => false)).toEqual({ fast: 100 });
  });
});

describe('scoreCandidates', () => {
  const base = { samples: 20, successes: 20, medianLatencyMs: 100, meanCost: 0 };

  it('scores relative to the best candidate, weighted and normalised to [0, 1]', () => {
    const [a, b] = scoreCandidates(
      [
        { ...base, model: 'a' },
        { ...base, model: 'b', medianLatencyMs: 200 },
      ],
      { success: 0.5, latency: 0.5, cost: 0 },
    );
    expect(a?.score).toBeCloseTo(0.5 * (21 / 22) + 0.5, 10);
    expect(b?.score).toBeCloseTo(0.5 * (21 / 22) + 0.25, 10);
  });

  it('lets the cost weight prefer the cheaper of two equal models', () => {
    const [cheap, dear] = scoreCandidates(
      [
        { ...base, model: 'cheap', meanCost: 1 },
        { ...base, model: 'dear', meanCost: 4 },
      ],
      { success: 0.6, latency: 0.3, cost: 0.1 },
    );
    expect((cheap?.score ?? 0) - (dear?.score ?? 0)).toBeCloseTo(0.1 * (1 - 0.25), 10);
  });

  it('smooths the success rate so one failure is not a verdict', () => {
    const [one] = scoreCandidates([{ ...base, model: 'm', samples: 1, successes: 0 }], {
      success: 1,
      latency: 0,
      cost: 0,
    });
    expect(one?.successRate).toBeCloseTo(1 / 3, 10);
  });
});
