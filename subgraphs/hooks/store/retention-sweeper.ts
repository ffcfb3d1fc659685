/**
 * Forgets idempotency keys past their retention and replay records past their window, in
 * small batches on a timer. Correctness does not depend on it (expired rows are taken over
 * when claimed again); it only keeps the tables small.
 */
import type { Database } from '../../../platform/db/pool';
import type { Logger } from '../../../platform/logger';
import { PeriodicJob } from '../../../platform/periodic-job';
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
  private readonly log: Logger;
  private readonly job: PeriodicJob;

  constructor(private readonly options: RetentionSweeperOptions) {
    this.log = options.log.child({ component: 'hooks-retention-sweeper' });
    this.job = new PeriodicJob({
      name: this.name,
      intervalMs: options.intervalMs ?? 60_000,
      run: () => this.sweep(),
      log: this.log,
    });
  }

  start(): Promise<void> {
    return this.job.start();
  }

  stop(): Promise<void> {
    return this.job.stop();
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
