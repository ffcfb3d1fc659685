/**
 * Chooses a model for a task type when the caller names none. Each candidate is scored
 * from its most recent calls (success rate, median latency and mean cost, with weights);
 * the best score usually wins (epsilon-greedy), but:
 *  - a model with fewer than `minSamples` recent calls is tried first, so a newly
 *    configured model gets traffic;
 *  - with probability `explorationRate` another candidate is tried, so a model that was
 *    failing keeps receiving a trickle of calls and wins its traffic back once it recovers.
 *
 * The window is in memory, so choosing costs no I/O, and is replaced every few seconds
 * (MODEL_SELECTION_REFRESH_MS) by the recent calls every replica recorded in
 * model_invocations: replicas learn from each other's calls, a few seconds late, and
 * between refreshes from their own at once.
 */
import type { InvocationOutcome } from './invocation-store';

export interface SelectionWeights {
  /** @default 0.6 */
  success: number;
  /** @default 0.3 */
  latency: number;
  /** @default 0.1 */
  cost: number;
}

export interface ModelSelectorOptions {
  weights?: Partial<SelectionWeights>;
  /** Share of choices given to a candidate other than the best. @default 0.1 */
  explorationRate?: number;
  /** Recent calls a model needs before its score counts. @default 5 */
  minSamples?: number;
  /** Recent calls kept per model and task type. @default 30 */
  windowSize?: number;
  /** Uniform in [0, 1); injectable so tests are deterministic. @default Math.random */
  random?: () => number;
}

export const DEFAULT_SELECTION_WEIGHTS: SelectionWeights = {
  success: 0.6,
  latency: 0.3,
  cost: 0.1,
};

export interface Observation {
  model: string;
  taskType: string;
  outcome: InvocationOutcome;
  latencyMs: number;
  cost: number;
}

/** The aggregate a score is computed from: the selector's window or a metrics query. */
export interface CandidateStats {
  model: string;
  samples: number;
  successes: number;
  /** Null when the model has no successful call to time. */
  medianLatencyMs: number | null;
  meanCost: number;
}

export interface CandidateScore extends CandidateStats {
  /** Laplace-smoothed: (successes + 1) / (samples + 2), so one call is not a verdict. */
  successRate: number;
  score: number;
}

export type SelectionReason = 'only_candidate' | 'new_model' | 'exploration' | 'best_score';

export interface Selection {
  model: string;
  reason: SelectionReason;
}

/**
 * Weighted score in [0, 1] of each candidate: latency and cost count relative to the best
 * candidate (the fastest gets 1, one twice as slow 0.5), so the weights mean the same
 * whatever the units.
 */
export function scoreCandidates(
  stats: readonly CandidateStats[],
  weights: SelectionWeights,
): CandidateScore[] {
  const latencies = stats.flatMap((s) =>
    s.medianLatencyMs === null ? [] : [Math.max(s.medianLatencyMs, 0.001)],
  );
  const fastest = latencies.length > 0 ? Math.min(...latencies) : undefined;
  const cheapest = Math.min(...stats.map((s) => s.meanCost));
  const total = weights.success + weights.latency + weights.cost;

  return stats.map((s) => {
    const successRate = (s.successes + 1) / (s.samples + 2);
    const latencyScore =
      s.medianLatencyMs === null || fastest === undefined
        ? 1
        : fastest / Math.max(s.medianLatencyMs, 0.001);
    const costScore = s.meanCost <= 0 ? 1 : cheapest / s.meanCost;
    const weighted =
      weights.success * successRate + weights.latency * latencyScore + weights.cost * costScore;
    return { ...s, successRate, score: total > 0 ? weighted / total : 0 };
  });
}

export class ModelSelector {
  readonly weights: SelectionWeights;
  private readonly explorationRate: number;
  private readonly minSamples: number;
  private readonly windowSize: number;
  private readonly random: () => number;
  /** Newest last, at most windowSize per key. */
  private readonly windows = new Map<string, Observation[]>();

  constructor(options: ModelSelectorOptions = {}) {
    this.weights = { ...DEFAULT_SELECTION_WEIGHTS, ...options.weights };
    this.explorationRate = options.explorationRate ?? 0.1;
    this.minSamples = options.minSamples ?? 5;
    this.windowSize = options.windowSize ?? 30;
    this.random = options.random ?? Math.random;
  }

  /** Replaces every window with these calls (oldest first), as all replicas recorded them. */
  replaceWindows(observations: readonly Observation[]): void {
    const windows = new Map<string, Observation[]>();
    for (const observation of observations) {
      const key = windowKey(observation.model, observation.taskType);
      const window = windows.get(key) ?? [];
      window.push(observation);
      if (window.length > this.windowSize) window.shift();
      windows.set(key, window);
    }
    this.windows.clear();
    for (const [key, window] of windows) this.windows.set(key, window);
  }

  observe(observation: Observation): void {
    const key = windowKey(observation.model, observation.taskType);
    const window = this.windows.get(key) ?? [];
    window.push(observation);
    if (window.length > this.windowSize) window.shift();
    this.windows.set(key, window);
  }

  choose(taskType: string, candidates: readonly string[]): Selection {
    const [first] = candidates;
    if (first === undefined) throw new Error(`no candidate model for ${taskType}`);
    if (candidates.length === 1) return { model: first, reason: 'only_candidate' };

    const scores = this.scores(taskType, candidates);
    const untried = scores.filter((s) => s.samples < this.minSamples);
    if (untried.length > 0) {
      const leastTried = untried.reduce((a, b) => (b.samples < a.samples ? b : a));
      return { model: leastTried.model, reason: 'new_model' };
    }

    const ranked = [...scores].sort((a, b) => b.score - a.score);
    const best = ranked[0] as CandidateScore;
    if (this.random() < this.explorationRate) {
      const others = ranked.slice(1);
      const pick = others[Math.floor(this.random() * others.length)] ?? best;
      return { model: pick.model, reason: 'exploration' };
    }
    return { model: best.model, reason: 'best_score' };
  }

  /** Each candidate's score from its recent window, in candidate order. */
  scores(taskType: string, candidates: readonly string[]): CandidateScore[] {
    return scoreCandidates(
      candidates.map((model) =>
        windowStats(model, this.windows.get(windowKey(model, taskType)) ?? []),
      ),
      this.weights,
    );
  }
}

function windowKey(model: string, taskType: string): string {
  return `${model}\u0000${taskType}`;
}

function windowStats(model: string, window: readonly Observation[]): CandidateStats {
  const successes = window.filter((o) => o.outcome === 'success');
  const latencies = successes.map((o) => o.latencyMs).sort((a, b) => a - b);
  return {
    model,
    samples: window.length,
    successes: successes.length,
    medianLatencyMs: median(latencies),
    meanCost: window.length === 0 ? 0 : window.reduce((sum, o) => sum + o.cost, 0) / window.length,
  };
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
