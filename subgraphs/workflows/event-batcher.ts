/**
 * One publisher of workflow events for the whole coordinator, grouping what many runs
 * publish at the same moment into one Kafka request per topic (a "group commit"): while a
 * batch is in flight, new events queue, and go together in the next one. Batches of a
 * topic are sent one after another and keep queue order, so events with the same key
 * stay in the order they were queued. Without this, every event would wait for its own
 * round trip through the idempotent producer, which sends one request at a time.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { EventBus, OutgoingEvent } from '../../platform/events/event-bus';
import type { Logger } from '../../platform/logger';

interface Pending {
  event: OutgoingEvent;
  resolve(): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 500;
const SEND_ATTEMPTS = 5;
const RETRY_FIRST_MS = 100;

export class EventBatcher {
  private readonly queues = new Map<string, { pending: Pending[]; sending: boolean }>();

  constructor(
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  /** Resolves once the broker acknowledged the event; rejects after SEND_ATTEMPTS failures. */
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
          await this.sendWithRetry(topic, batch);
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      queue.sending = false;
    }
  }

  private async sendWithRetry(topic: string, batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.bus.publish(
          topic,
          batch.map((item) => item.event),
        );
        return;
      } catch (error) {
        if (attempt >= SEND_ATTEMPTS) throw error;
        this.log.warn(
          { err: error, topic, events: batch.length, attempt },
          'event publish failed; retrying',
        );
        await sleep(RETRY_FIRST_MS * 2 ** (attempt - 1));
      }
    }
  }
}
