/** What every task type implements, and how a task says whether retrying may help. */
import type { Logger } from '../../../platform/logger';
import type { TaskType } from '../definition';

export interface TaskContext {
  workflowId: string;
  taskId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** No retry follows this attempt: a runner with a fallback uses it now rather than fail. */
  isLastAttempt?: boolean;
  /** Aborted on the attempt's timeout or when the run stops; runners must honour it. */
  signal: AbortSignal;
  log: Logger;
}

export interface TaskOutcome {
  output: unknown;
  /** The model-metrics invocation id of a model_inference task. */
  invocationId?: string;
  /** True when the answer came from a fallback instead of the real dependency. */
  degraded?: boolean;
}

/** Runs one attempt of a task on its rendered input. */
export type TaskRunner = (input: unknown, context: TaskContext) => Promise<TaskOutcome>;

export type TaskRunners = Record<TaskType, TaskRunner>;

/** A task attempt failed; `retriable` false means another attempt would fail the same way. */
export class TaskFailure extends Error {
  override name = 'TaskFailure';
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** HTTP statuses worth retrying: timeouts, throttling and server-side failures. */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Maps a fetch/abort error into a TaskFailure with the reason a reader needs. */
export function networkFailure(error: unknown, what: string, signal: AbortSignal): TaskFailure {
  if (signal.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    const timedOut = reason?.name === 'TimeoutError';
    return new TaskFailure(timedOut ? `${what} timed out` : `${what} aborted`, timedOut, {
      cause: error,
    });
  }
  return new TaskFailure(`${what} failed: ${(error as Error).message}`, true, { cause: error });
}
