/**
 * Deletes the outbox rows of events the broker acknowledged. Nothing waits on it, so
 * acknowledged ids collect for a moment and go in one DELETE, instead of one commit per
 * event. A delete that is lost (the process dies first, or the statement fails) only
 * leaves a row the sweeper publishes again: a duplicate consumers drop by event id.
 */
import type { Queryable } from '../../../platform/db/pool';
import type { Logger } from '../../../platform/logger';
import { deletePublished } from './outbox-store';

/** Ids collected before a delete goes at once, without waiting for the timer. */
const MAX_PENDING = 1_000;

export class PublishedEventCleaner {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private deleting: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Queryable,
    private readonly log: Logger,
    private readonly flushAfterMs = 100,
  ) {}

  acknowledged(eventIds: readonly string[]): void {
    this.pending.push(...eventIds);
    if (this.pending.length >= MAX_PENDING) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushAfterMs);
      this.timer.unref();
    }
  }

  /** Deletes what was acknowledged so far; resolves when every delete started has ended. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const eventIds = this.pending;
    this.pending = [];
    if (eventIds.length > 0) {
      this.deleting = this.deleting.then(() =>
        deletePublished(this.db, eventIds).catch((error: unknown) =>
          this.log.warn(
            { err: error, events: eventIds.length },
            'published outbox rows not deleted; the sweeper publishes them again',
          ),
        ),
      );
    }
    return this.deleting;
  }
}
