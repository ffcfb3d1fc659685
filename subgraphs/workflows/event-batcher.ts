/**
 * One publisher of workflow events for the whole coordinator, grouping what many runs
 * publish at the same moment into one Kafka request per topic (a "group commit"): while a
 * batch is in flight, new events queue, and go together in the next one. Batches of a
 * topic are sent one after another and keep queue order, so events with the same key
 * stay in the order they were queued. Without this, every event would wait for its own
 * round trip through the idempotent producer, which sends one request at a time.
 *
 * A batch is sent once (the producer's own retries included): the events are already in
 * the outbox, whose sweeper is the retry. When a batch fails, the events queued behind it
 * fail with it rather than wait their turn for the same failure. A batch the broker
 * refuses for good (EventRejectedError: one event too large, say) is sent again one event
 * at a time, so only the culprit fails.
 */
import {
  type EventBus,
  EventRejectedError,
  type OutgoingEvent,
} from '../../platform/events/event-bus';

interface Pending {
  event: OutgoingEvent;
  resolve(): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 500;

export class EventBatcher {
  private readonly queues = new Map<string, { pending: Pending[]; sending: boolean }>();

  constructor(private readonly bus: EventBus) {}

  /** Resolves once the broker acknowledged the event; rejects if its batch failed. */
  publish(topic: string, event: OutgoingEvent): Promise<void> {
    let queue = this.queues.get(topic);
    if (!queue) {
      queue = { pending: [], sending: false };
      this.queues.set(topic, queue);
    }
    const done = new Promise<void>((resolve, reject) =>
      queue.pending.push({ event, resolve, reject }),
    );
    if (!queue.sending) void this.drain(topic, queue);
    return done;
  }

  private async drain(
    topic: string,
    queue: { pending: Pending[]; sending: boolean },
  ): Promise<void> {
    queue.sending = true;
    try {
      while (queue.pending.length > 0) {
        const batch = queue.pending.splice(0, MAX_BATCH);
        try {
          await this.bus.publish(
            topic,
            batch.map((item) => item.event),
          );
          for (const item of batch) item.resolve();
        } catch (error) {
          if (error instanceof EventRejectedError && batch.length > 1) {
            await this.sendOneByOne(topic, batch);
          } else {
            for (const item of [...batch, ...queue.pending.splice(0)]) item.reject(error);
          }
        }
      }
    } finally {
      queue.sending = false;
    }
  }

  /** After a refusal; events another partition had accepted go again (consumers dedupe). */
  private async sendOneByOne(topic: string, batch: Pending[]): Promise<void> {
    for (const item of batch) {
      try {
        await this.bus.publish(topic, [item.event]);
        item.resolve();
      } catch (error) {
        item.reject(error);
      }
    }
  }
}
