/**
 * Periodically takes over runs whose lease expired (a coordinator died or stalled) so
 * they resume elsewhere. The first sweep runs at start, which also picks up this
 * coordinator's own runs from before a restart once their leases lapse.
 */
import { Lifecycle } from '../../platform/lifecycle';
import type { Logger } from '../../platform/logger';
import type { Worker } from '../../platform/service';
import type { WorkflowCoordinator } from './coordinator';

export class LeaseSweeper implements Worker {
  readonly name = 'lease-sweeper';
  private readonly lifecycle = new Lifecycle(this.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly coordinator: WorkflowCoordinator,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): Promise<void> {
    return this.lifecycle.start(async () => {
      this.timer = setInterval(() => this.sweep(), this.intervalMs);
      this.timer.unref();
      this.sweep();
    });
  }

  stop(): Promise<void> {
    return this.lifecycle.stop(async () => {
      clearInterval(this.timer);
      await this.sweeping;
    });
  }

  private sweep(): void {
    if (this.sweeping) return;
    this.sweeping = this.coordinator
      .resumeOrphans()
      .then(
        () => undefined,
        (error: unknown) => this.log.warn({ err: error }, 'lease sweep failed; next sweep retries'),
      )
      .finally(() => (this.sweeping = undefined));
  }
}
