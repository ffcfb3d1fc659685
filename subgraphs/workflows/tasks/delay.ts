/** delay: waits `duration_ms`, ending early (as a failure) when the run is stopped. */
import { setTimeout as sleep } from 'node:timers/promises';

import { TaskFailure, type TaskRunner } from './task-runner';

export const runDelay: TaskRunner = async (input, context) => {
  const durationMs = (input as { duration_ms?: unknown } | null)?.duration_ms;
  if (typeof durationMs !== 'number' || durationMs < 0) {
    throw new TaskFailure('delay input needs duration_ms, a number of milliseconds', false);
  }
  try {
    await sleep(durationMs, undefined, { signal: context.signal });
  } catch (error) {
    throw new TaskFailure('delay aborted', false, { cause: error });
  }
  return { output: { waited_ms: durationMs } };
};
