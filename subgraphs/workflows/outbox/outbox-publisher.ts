/**
 * Publishes stored workflow events to their topics through the coordinator's event batcher
 * and hands the acknowledged ones to the marker. An event whose publish fails is not
 * lost: its row stays in the outbox and the sweeper publishes it later.
 *
 * After a failure, publishing right after the commit pauses (new events go straight to
 * the sweeper) until a sweep publishes again: the sweeper is the probe of a broker that
 * failed, as a half-open circuit breaker would be, so an outage costs one failed attempt
 * per sweep instead of one per event. Events being published are known here, so this
 * process's sweeper never publishes an event a second time while its first publish is
 * still in flight.
 */
import { EventRejectedError } from '../../../platform/events/event-bus';
import type { Logger } from '../../../platform/logger';
import type { EventBatcher } from '../event-batcher';
import type { StoredEvent, WorkflowTopic } from './outbox-store';
import type { PublishedEventMarker } from './published-marker';

/** `rejected`: the broker refused the event for good (too large): retrying cannot help. */
export type PublishOutcome =
  { published: true } | { published: false; error: string; rejected: boolean };

/** Who publishes: the coordinator right after the commit, or the sweeper later. */
export type PublishPath = 'direct' | 'sweeper';

const PAUSED: PublishOutcome = {
  published: false,
  error: 'direct publishing is paused after a failure; the outbox sweeper publishes it',
  rejected: false,
};

export class OutboxPublisher {
  private readonly inFlight = new Set<string>();
  private directPaused = false;

  constructor(
    private readonly batcher: EventBatcher,
    /** Full topic names (with the deployment's prefix). */
    private readonly topics: Record<WorkflowTopic, string>,
    private readonly marker: PublishedEventMarker,
    private readonly log: Logger,
    private readonly onFailure: (path: PublishPath) => void = () => undefined,
  ) {}

  /** Ids of the events being published now. */
  get inFlightIds(): readonly string[] {
    return [...this.inFlight];
  }

  /** True while events are left to the sweeper without a direct attempt. */
  get isDirectPaused(): boolean {
    return this.directPaused;
  }

  /** Resolves once the broker acknowledged the event, or with why it stays for the sweeper. */
  async publish(event: StoredEvent, path: PublishPath): Promise<PublishOutcome> {
    if (path === 'direct' && this.directPaused) return PAUSED;
    const eventId = event.envelope.id;
    this.inFlight.add(eventId);
    try {
      await this.batcher.publish(this.topics[event.topic], {
        envelope: event.envelope,
        key: event.key,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A refused event says nothing about the broker's health: do not pause for it.
      if (error instanceof EventRejectedError)
        return { published: false, error: message, rejected: true };
      this.onFailure(path);
      if (!this.directPaused) {
        this.directPaused = true;
        this.log.warn(
          { err: error, eventId, workflowId: event.key, topic: event.topic, path },
          'workflow event publish failed; events wait in the outbox for the sweeper until it publishes again',
        );
      }
      return { published: false, error: message, rejected: false };
    } finally {
      this.inFlight.delete(eventId);
    }
    if (path === 'sweeper' && this.directPaused) {
      this.directPaused = false;
      this.log.info('workflow events publish again; publishing right after the commit resumes');
    }
    this.marker.acknowledged([eventId]);
    return { published: true };
  }

  /** Marks everything acknowledged so far as published (at shutdown). */
  flush(): Promise<void> {
    return this.marker.flush();
  }
}
