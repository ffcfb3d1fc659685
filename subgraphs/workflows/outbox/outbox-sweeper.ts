/**
 * Publishes the workflow events that were committed but not published right after their
 * commit: the coordinator that wrote them died first, or Kafka was down for longer than
 * its publisher retried. Every coordinator runs one; rows are claimed with SKIP LOCKED
 * and a claim time, so two sweepers never take the same rows at once, and rows a dead
 * sweeper claimed come due again after the claim lapses.
 *
 * Order: one run's events are claimed in the order they were written and its task events
 * are published before its completion. Events published here can still reach consumers
 * after newer ones published directly (that is what being late means); consumers dedupe
 * by event id, and the gateway puts a run's task events before its completion.
 */
import type { Logger } from '../../../platform/logger';
import { PeriodicJob } from '../../../platform/periodic-job';
import type { Worker } from '../../../platform/service';
import type { Queryable } from '../../../platform/db/pool';
import { claimDue, markRejected, recordPublishFailure } from './outbox-store';
import type { OutboxPublisher, PublishOutcome } from './outbox-publisher';

export interface OutboxSweeperOptions {
  db: Queryable;
  publisher: OutboxPublisher;
  log: Logger;
  /** How often due rows are looked for. */
  intervalMs: number;
  /** Counts the events this sweeper published late. */
  onPublished?: (count: number) => void;
  /** Counts the events the broker refused for good (kept as history, never published). */
  onRejected?: (count: number) => void;
  /** @default 200 */
  batchSize?: number;
  /** How long claimed rows are left to this sweeper. @default 30000 */
  claimMs?: number;
}

const MAX_RETRY_MS = 60_000;
const HELD_BACK: PublishOutcome = {
  published: false,
  error: 'held back: a task event of its run is not published yet',
  rejected: false,
};

export class OutboxSweeper implements Worker {
  readonly name = 'event-outbox-sweeper';
  private readonly job: PeriodicJob;
  private readonly batchSize: number;
  private readonly claimMs: number;

  constructor(private readonly options: OutboxSweeperOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.claimMs = options.claimMs ?? 30_000;
    this.job = new PeriodicJob({
      name: this.name,
      intervalMs: options.intervalMs,
      runAtStart: true,
      run: () => this.sweepUntilIdle(),
      log: options.log,
    });
  }

  start(): Promise<void> {
    return this.job.start();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  private async sweepUntilIdle(): Promise<void> {
    const { db, publisher, log } = this.options;
    for (;;) {
      const due = await claimDue(db, {
        limit: this.batchSize,
        claimMs: this.claimMs,
        excluding: publisher.inFlightIds,
      });
      if (due.length === 0) return;
      const taskEvents = due.filter((event) => event.topic === 'tasks');
      const outcomes = await Promise.all(
        taskEvents.map((event) => publisher.publish(event, 'sweeper')),
      );
      const failures: Array<{ event: (typeof due)[number]; error: string }> = [];
      const rejections: typeof failures = [];
      const sortOut = (event: (typeof due)[number], outcome: PublishOutcome | undefined) => {
        if (!outcome || outcome.published) return;
        (outcome.rejected ? rejections : failures).push({ event, error: outcome.error });
      };
      taskEvents.forEach((event, index) => sortOut(event, outcomes[index]));
      // A run's completion goes only after its task events did (a refused one never will).
      const held = new Set(failures.map(({ event }) => event.key));
      const completions = due.filter((event) => event.topic === 'completions');
      const completionOutcomes = await Promise.all(
        completions.map((event) =>
          held.has(event.key) ? HELD_BACK : publisher.publish(event, 'sweeper'),
        ),
      );
      completions.forEach((event, index) => sortOut(event, completionOutcomes[index]));
      const [firstRejection] = rejections;
      if (firstRejection) {
        await markRejected(
          db,
          rejections.map(({ event }) => event.envelope.id),
          firstRejection.error,
        );
        this.options.onRejected?.(rejections.length);
        log.error(
          {
            events: rejections.map(({ event }) => event.envelope.id),
            error: firstRejection.error,
          },
          'the broker refused workflow events for good; they stay in the run history only',
        );
      }
      const sent = due.length - failures.length - rejections.length;
      if (sent > 0) this.options.onPublished?.(sent);
      const [firstFailure] = failures;
      if (firstFailure) {
        // The retry waits longer with each attempt: a long outage costs each row one
        // attempt a minute at most.
        const attempts = Math.max(...failures.map(({ event }) => event.attempts));
        const retryInMs = Math.min(1_000 * 2 ** Math.min(attempts, 16), MAX_RETRY_MS);
        await recordPublishFailure(
          db,
          failures.map(({ event }) => event.envelope.id),
          { error: firstFailure.error, retryInMs },
        );
        log.warn(
          { events: failures.length, retryInMs, error: firstFailure.error },
          'late workflow events not published yet',
        );
        return;
      }
      if (due.length < this.batchSize) return;
    }
  }
}
