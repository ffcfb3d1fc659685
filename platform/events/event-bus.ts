/**
 * The event bus seen by the services: Kafka in production, an in-process log in the
 * embedded default. Both give at-least-once delivery, ordering per key, consumer groups
 * that share a topic's work, and offsets committed only after the handler returns.
 */
import type { EventEnvelope, KafkaRecord } from './envelope';

/**
 * The broker refused the records for good (one over its size limit, say): sending them
 * again cannot succeed, unlike after an outage. A publisher should set the culprit aside
 * instead of retrying it, or it holds up everything behind it.
 */
export class EventRejectedError extends Error {
  override name = 'EventRejectedError';
  constructor(
    message: string,
    /** The broker's reason, e.g. MESSAGE_TOO_LARGE. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface OutgoingEvent {
  envelope: EventEnvelope;
  /** Partitioning key: events with the same key are consumed in order. */
  key: string | null;
}

export interface DeliveredEvent {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  envelope: EventEnvelope;
  /** The raw record as delivered, for dead-lettering a message that cannot be decoded. */
  raw: { value: Buffer | null; headers: Record<string, string> };
}

/** A message that could not be decoded as a CloudEvent. */
export interface UndecodableEvent {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  raw: { value: Buffer | null; headers: Record<string, string> };
  error: Error;
}

export interface SubscribeOptions {
  /** Consumers with the same group id share the topics' partitions. */
  groupId: string;
  topics: string[];
  /** Start from the earliest offset when the group has none committed. @default false */
  fromBeginning?: boolean;
  /**
   * Called once per event, in order per partition. The offset is committed after it
   * resolves; if it throws, the bus delivers the same event again after a pause.
   */
  handle: (event: DeliveredEvent) => Promise<void>;
  /** Called for a message that is not a CloudEvent; the offset is committed after it. */
  handleUndecodable?: (event: UndecodableEvent) => Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface EventBus {
  readonly kind: 'kafka' | 'memory';
  /** Resolves once the broker has acknowledged every event (all in-sync replicas). */
  publish(topic: string, events: OutgoingEvent[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /**
   * Publishes records as they are, not as CloudEvents: for forwarding a message that is
   * not one (a dead letter keeps the original bytes and headers, plus its own headers).
   */
  publishRaw(topic: string, records: KafkaRecord[]): Promise<void>;
  /** Creates the topics if missing (Kafka); a no-op where topics need no creation. */
  ensureTopics(topics: string[]): Promise<void>;
  /** Cheap liveness check of the broker connection. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
