/**
 * The EventBus on Kafka (kafkajs): an idempotent producer that waits for all in-sync
 * replicas, and consumers with manual offset commits, so an event is committed only
 * after its handler finished (at-least-once).
 */
import { setTimeout as sleep } from 'node:timers/promises';

import {
  type Consumer,
  type EachMessagePayload,
  Kafka,
  type KafkaMessage,
  Partitioners,
  type Producer,
  logLevel as KafkaLogLevel,
} from 'kafkajs';

import type { Logger } from '../logger';
import { EnvelopeError, type KafkaRecord, fromKafkaRecord, toKafkaRecord } from './envelope';
import {
  type DeliveredEvent,
  type EventBus,
  EventRejectedError,
  type OutgoingEvent,
  type SubscribeOptions,
  type Subscription,
} from './event-bus';

export interface KafkaEventBusOptions {
  brokers: string[];
  clientId: string;
  log: Logger;
  /** Partitions for topics this bus creates. @default 3 */
  partitions?: number;
  /** Prepended to every consumer group id, like KAFKA_TOPIC_PREFIX to topics. @default '' */
  groupPrefix?: string;
}

const HANDLER_RETRY_FIRST_MS = 100;
/** Broker answers about the records themselves: sending the same records again fails again. */
const RECORD_REJECTIONS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
]);
const HANDLER_RETRY_MAX_MS = 5_000;
const GROUP_JOIN_TIMEOUT_MS = 30_000;
const COMMIT_EVERY_MESSAGES = 100;
const ENSURE_TOPICS_ATTEMPTS = 3;

export class KafkaEventBus implements EventBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private readonly partitions: number;
  private readonly groupPrefix: string;
  private producer: Producer | undefined;
  private producerReady: Promise<Producer> | undefined;
  private readonly consumers = new Set<Consumer>();

  constructor(options: KafkaEventBusOptions) {
    this.log = options.log.child({ component: 'kafka' });
    this.partitions = options.partitions ?? 3;
    this.groupPrefix = options.groupPrefix ?? '';
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { initialRetryTime: 200, retries: 5 },
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => (entry) => {
        const { message, ...fields } = entry.log;
        // Retries are bounded on purpose: the outbox relay must see a publish fail so it can
        // back off; duplicates that a retry after a failure may cause are absorbed by
        // idempotent consumers (delivery is at-least-once by design).
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        const level = entry.level <= KafkaLogLevel.ERROR ? 'error' : 'warn';
        this.log[level]({ namespace: entry.namespace, ...fields }, message);
      },
    });
  }

  async publish(topic: string, events: OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.send(
      topic,
      events.map(({ envelope, key }) => toKafkaRecord(envelope, key)),
    );
  }

  async publishRaw(topic: string, records: KafkaRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.send(topic, records);
  }

  private async send(topic: string, messages: KafkaRecord[]): Promise<void> {
    const producer = await this.getProducer();
    try {
      await producer.send({ topic, acks: -1, messages });
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (typeof type === 'string' && RECORD_REJECTIONS.has(type)) {
        throw new EventRejectedError(
          `Kafka refused the records for good (${type}): ${(error as Error).message}`,
          type,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: `${this.groupPrefix}${options.groupId}`,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // Small batches keep redelivery after a crash small; throughput here is per-event work.
      maxBytesPerPartition: 1_048_576,
      // disconnect() waits for the fetch in flight (kafkajs #1596): a short long-poll keeps
      // shutdown under a second, at the cost of one idle fetch per second per consumer.
      maxWaitTimeInMs: 1_000,
    });
    await consumer.connect();
    for (const topic of options.topics) {
      await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? false });
    }
    let stopping = false;
    // Resolve only once the group has assigned partitions: a caller that publishes right
    // after subscribe() with fromBeginning=false would otherwise race the first fetch.
    const joined = new Promise<void>((resolve) => {
      const removeListener = consumer.on(consumer.events.GROUP_JOIN, () => {
        removeListener();
        resolve();
      });
    });
    // Messages are handled one at a time, in order per partition; the offset after the
    // last handled one is committed at the end of each fetched batch (and every
    // COMMIT_EVERY_MESSAGES within a long one). A commit per message cost a Kafka round
    // trip each and capped a consumer near 75 events/s; after a crash, at most the
    // uncommitted part of a batch is delivered again, which idempotent handlers absorb.
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        let handledOffset: string | undefined;
        let sinceCommit = 0;
        const commit = async () => {
          if (handledOffset === undefined) return;
          await consumer.commitOffsets([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: (BigInt(handledOffset) + 1n).toString(),
            },
          ]);
          sinceCommit = 0;
        };
        for (const message of batch.messages) {
          if (stopping || !isRunning() || isStale()) break;
          await this.deliver(
            { topic: batch.topic, partition: batch.partition, message, heartbeat },
            options,
            () => stopping,
          );
          if (stopping) break;
          handledOffset = message.offset;
          // Moves the fetch position; without it the next fetch returns the batch again.
          resolveOffset(message.offset);
          if (++sinceCommit >= COMMIT_EVERY_MESSAGES) await commit();
          await heartbeat();
        }
        await commit();
      },
    });
    this.consumers.add(consumer);
    let joinedInTime = false;
    await Promise.race([
      joined.then(() => (joinedInTime = true)),
      sleep(GROUP_JOIN_TIMEOUT_MS, undefined, { ref: false }),
    ]);
    if (!joinedInTime)
      this.log.warn({ groupId: options.groupId }, 'consumer group not joined in time; continuing');
    return {
      stop: async () => {
        stopping = true;
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async ensureTopics(topics: string[]): Promise<void> {
    // A broker that has just started can still answer UNKNOWN_TOPIC_OR_PARTITION while it
    // elects the new topics' leaders, past kafkajs's own retries: try the whole step again.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.createMissingTopics(topics);
        return;
      } catch (error) {
        const retriable = (error as { retriable?: boolean }).retriable === true;
        if (!retriable || attempt >= ENSURE_TOPICS_ATTEMPTS) throw error;
        this.log.warn({ err: error, attempt }, 'creating topics failed; retrying');
        await sleep(1_000 * attempt);
      }
    }
  }

  private async createMissingTopics(topics: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: this.partitions })),
        });
        this.log.info({ topics: missing }, 'topics created');
      }
    } finally {
      await admin.disconnect();
    }
  }

  async ping(): Promise<void> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((consumer) => consumer.disconnect()));
    this.consumers.clear();
    if (this.producer) await this.producer.disconnect();
    this.producer = undefined;
    this.producerReady = undefined;
  }

  private getProducer(): Promise<Producer> {
    this.producerReady ??= (async () => {
      const producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
      });
      try {
        await producer.connect();
      } catch (error) {
        this.producerReady = undefined;
        throw error;
      }
      this.producer = producer;
      return producer;
    })();
    return this.producerReady;
  }

  /**
   * Hands one message to the handler, retrying with capped backoff while it throws: the
   * offset must not move past an event nobody handled. Handlers that want a retry limit
   * and a dead-letter topic implement them and stop throwing.
   */
  private async deliver(
    {
      topic,
      partition,
      message,
      heartbeat,
    }: Pick<EachMessagePayload, 'topic' | 'partition' | 'message' | 'heartbeat'>,
    options: SubscribeOptions,
    isStopping: () => boolean,
  ): Promise<void> {
    const raw = { value: message.value, headers: stringHeaders(message) };
    const key = message.key?.toString() ?? null;
    let envelope;
    try {
      envelope = fromKafkaRecord(raw.headers, message.value);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      await options.handleUndecodable?.({
        topic,
        partition,
        offset: message.offset,
        key,
        raw,
        error,
      });
      if (!options.handleUndecodable) {
        this.log.error(
          { topic, partition, offset: message.offset, err: error },
          'undecodable event skipped',
        );
      }
      return;
    }
    const event: DeliveredEvent = { topic, partition, offset: message.offset, key, envelope, raw };
    for (let delayMs = HANDLER_RETRY_FIRST_MS; !isStopping();) {
      try {
        await options.handle(event);
        return;
      } catch (error) {
        this.log.warn(
          {
            topic,
            partition,
            offset: message.offset,
            eventId: envelope.id,
            err: error,
            retryInMs: delayMs,
          },
          'event handler failed; retrying',
        );
        await sleep(delayMs);
        delayMs = Math.min(delayMs * 2, HANDLER_RETRY_MAX_MS);
        await heartbeat();
      }
    }
  }
}

function stringHeaders(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return headers;
}
