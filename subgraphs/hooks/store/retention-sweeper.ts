/**
 * Forgets idempotency keys past their retention and replay records past their window, in
 * small batches on a timer. Correctness does not depend on it (expired rows are taken over
 * when claimed again); it only keeps the tables small.
 */
import type { Database } from '../../../platform/db/pool';
import { Lifecycle } from '../../../platform/lifecycle';
import type { Logger } from '../../../platform/logger';
import type { Worker } from '../../../platform/service';
import { deleteExpiredIdempotencyKeys } from './hook-event-store';
import { deleteExpiredSignatures } from './rejection-store';

export interface RetentionSweeperOptions {
  db: Database;
  log: Logger;
  /** @default 60000 */
  intervalMs?: number;
  /** @default 1000 */
  batchSize?: number;
}

export class RetentionSweeper implements Worker {
  readonly name = 'hooks-retention-sweeper';
  private readonly lifecycle = new Lifecycle('hooks-retention-sweeper');
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: RetentionSweeperOptions) {
    this.log = options.log.child({ component: 'hooks-retention-sweeper' });
  }

  start(): Promise<void> {
    return this.lifecycle.start(async () => {
      this.timer = setInterval(() => {
        this.running ??= this.sweep()
          .then(() => undefined)
          .finally(() => (this.running = undefined));
      }, this.options.intervalMs ?? 60_000);
      this.timer.unref();
    });
  }

  stop(): Promise<void> {
    return this.lifecycle.stop(async () => {
      clearInterval(this.timer);
      await this.running;
    });
  }

  async sweep(): Promise<{ keys: number; signatures: number }> {
    const batchSize = this.options.batchSize ?? 1_000;
    try {
      const keys = await deleteExpiredIdempotencyKeys(this.options.db, batchSize);
      const signatures = await deleteExpiredSignatures(this.options.db, batchSize);
      if (keys + signatures > 0) this.log.debug({ keys, signatures }, 'expired records removed');
      return { keys, signatures };
    } catch (error) {
      this.log.warn({ err: error }, 'retention sweep failed');
      return { keys: 0, signatures: 0 };
    }
  }
}
