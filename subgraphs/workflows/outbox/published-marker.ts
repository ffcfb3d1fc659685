/**
 * Marks the events the broker acknowledged as published, which takes them out of the
 * outbox. Nothing waits on it, so acknowledged ids collect for a moment and go in one
 * UPDATE, instead of one commit per event. A mark that is lost (the process dies first, or
 * the statement fails) only leaves a row the sweeper publishes again: a duplicate
 * consumers drop by event id.
 */
import type { Queryable } from '../../../platform/db/pool';
import type { Logger } from '../../../platform/logger';
import { markPublished } from './outbox-store';

/** Ids collected before a mark goes at once, without waiting for the timer. */
const MAX_PENDING = 1_000;

export class PublishedEventMarker {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private marking: Promise<void> = Promise.resolve();

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

  /** Marks what was acknowledged so far; resolves when every mark started has ended. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const eventIds = this.pending;
    this.pending = [];
    if (eventIds.length > 0) {
      this.marking = this.marking.then(() =>
        markPublished(this.db, eventIds).catch((error: unknown) =>
          this.log.warn(
            { err: error, events: eventIds.length },
            'published events not marked; the sweeper publishes them again',
          ),
        ),
      );
    }
    return this.marking;
  }
}
