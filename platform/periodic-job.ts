/**
 * A job a Worker runs on a timer: every `intervalMs`, one round at a time (a tick that
 * finds the previous round still running does nothing), the round in progress awaited
 * when the worker stops. A round that throws is logged and the next tick tries again.
 * The timer does not keep the process alive.
 */
import { Lifecycle } from './lifecycle';
import type { Logger } from './logger';
import type { Worker } from './service';

export interface PeriodicJobOptions {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  log: Logger;
  /** Also run a round as soon as the worker starts. @default false */
  runAtStart?: boolean;
}

export class PeriodicJob implements Worker {
  readonly name: string;
  private readonly lifecycle: Lifecycle;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;

  constructor(private readonly options: PeriodicJobOptions) {
    this.name = options.name;
    this.lifecycle = new Lifecycle(options.name);
  }

  start(): Promise<void> {
    return this.lifecycle.start(async () => {
      this.timer = setInterval(() => void this.runNow(), this.options.intervalMs);
      this.timer.unref();
      if (this.options.runAtStart) void this.runNow();
    });
  }

  stop(): Promise<void> {
    return this.lifecycle.stop(async () => {
      clearInterval(this.timer);
      await this.round;
    });
  }

  /** Starts a round unless one is running; resolves when the round in progress ended. */
  runNow(): Promise<void> {
    this.round ??= this.options
      .run()
      .then(
        () => undefined,
        (error: unknown) =>
          this.options.log.warn(
            { err: error, job: this.name },
            'periodic job failed; the next round retries',
          ),
      )
      .finally(() => (this.round = undefined));
    return this.round;
  }
}
