/**
 * Per-task retry policy: attempts, exponential backoff with jitter, and a timeout per
 * attempt. Defaults depend on the task type: calls to other systems retry, pure steps
 * do not (a transform that failed once fails the same way again).
 */
import { unreachable } from '../../platform/lifecycle';
import type { RetryPolicy, TaskDefinition, TaskType } from './definition';

export interface ResolvedRetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Longest one attempt may take. */
  timeoutMs: number;
}

const DEFAULT_ATTEMPTS: Record<TaskType, number> = {
  model_inference: 3,
  http: 3,
  transform: 1,
  delay: 1,
};
const DEFAULT_INITIAL_BACKOFF_MS = 200;
const DEFAULT_MAX_BACKOFF_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;

export function resolveRetryPolicy(
  task: Pick<TaskDefinition, 'retry' | 'timeoutMs' | 'input'> & { type: TaskType },
  defaults: { modelInferenceTimeoutMs: number },
): ResolvedRetryPolicy {
  const retry: RetryPolicy = task.retry ?? {};
  const initialBackoffMs = retry.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
  return {
    maxAttempts: retry.maxAttempts ?? DEFAULT_ATTEMPTS[task.type],
    initialBackoffMs,
    maxBackoffMs: Math.max(retry.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, initialBackoffMs),
    timeoutMs: task.timeoutMs ?? defaultTimeoutMs(task, defaults.modelInferenceTimeoutMs),
  };
}

function defaultTimeoutMs(
  task: Pick<TaskDefinition, 'input'> & { type: TaskType },
  modelInferenceTimeoutMs: number,
): number {
  switch (task.type) {
    case 'model_inference':
      return modelInferenceTimeoutMs;
    case 'delay': {
      // A delay's own duration must not count against it.
      const durationMs = (task.input as { duration_ms?: unknown } | undefined)?.duration_ms;
      return (typeof durationMs === 'number' ? durationMs : 0) + DEFAULT_TIMEOUT_MS;
    }
    case 'http':
    case 'transform':
      return DEFAULT_TIMEOUT_MS;
    default:
      return unreachable(task.type);
  }
}

/**
 * Wait before attempt `nextAttempt` (2 for the first retry): the exponential step capped
 * at maxBackoffMs, then "equal jitter" (half fixed, half random) so retries of many runs
 * spread out without ever retrying sooner than half the step.
 */
export function backoffMs(
  policy: Pick<ResolvedRetryPolicy, 'initialBackoffMs' | 'maxBackoffMs'>,
  nextAttempt: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (nextAttempt - 2));
  return Math.round(step / 2 + random() * (step / 2));
}
