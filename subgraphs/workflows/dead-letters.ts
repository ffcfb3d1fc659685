/**
 * Dead letters of workflow.events: messages that could not be processed after their
 * retries. Each is kept in workflow_dead_letters and published to workflow.events.dlq as
 * the original record, byte for byte (key, value and headers unchanged), plus `dlq-*`
 * headers that say why and where from (DEAD_LETTER_HEADERS). A consumer of the DLQ thus
 * reads the same CloudEvent the source topic carried (or the same bytes, when it never
 * was one), and the failure beside it. `replay` publishes the stored original back to
 * workflow.events, without the dlq-* headers.
 *
 * Kafka keys are handled as strings by the event bus, so a binary key is forwarded as its
 * UTF-8 decoding; a null value (a tombstone) is forwarded as an empty value.
 */
import { randomUUID } from 'node:crypto';

import type { Queryable } from '../../platform/db/pool';
import { EnvelopeError, type KafkaRecord, fromKafkaRecord } from '../../platform/events/envelope';
import type { EventBus } from '../../platform/events/event-bus';

/** The headers a dead letter adds to the original record. */
export const DEAD_LETTER_HEADERS = {
  id: 'dlq-id',
  error: 'dlq-error',
  attempts: 'dlq-attempts',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  firstFailureAt: 'dlq-first-failure-at',
  lastFailureAt: 'dlq-last-failure-at',
} as const;

const DEAD_LETTER_HEADER_PREFIX = 'dlq-';

export interface FailedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  raw: { value: Buffer | null; headers: Record<string, string> };
  /** The CloudEvent id, when the message decoded. */
  eventId: string | undefined;
  correlationId: string | undefined;
}

export interface FailureRecord {
  error: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

export interface DeadLetter {
  id: string;
  eventId: string | null;
  topic: string;
  partition: number;
  offset: string;
  error: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  replayedAt: Date | null;
}

export class DeadLetterQueue {
  constructor(
    private readonly db: Queryable,
    private readonly bus: EventBus,
    private readonly topics: { source: string; dlq: string },
  ) {}

  /**
   * Stores and publishes the dead letter; answers the record published. A message
   * dead-lettered before (same topic, partition, offset) keeps its id and is published again.
   */
  async send(message: FailedMessage, failure: FailureRecord): Promise<KafkaRecord> {
    const stored = await this.db.query<{ id: string }>(
      `INSERT INTO workflow_dead_letters (id, event_id, topic, partition, "offset", message_key,
         message_value, message_headers, error, attempts, first_failed_at, last_failed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (topic, partition, "offset") DO UPDATE
         SET error = EXCLUDED.error, attempts = EXCLUDED.attempts, last_failed_at = EXCLUDED.last_failed_at
       RETURNING id`,
      [
        randomUUID(),
        message.eventId ?? null,
        message.topic,
        message.partition,
        message.offset,
        message.key,
        message.raw.value,
        JSON.stringify(message.raw.headers),
        failure.error,
        failure.attempts,
        failure.firstFailedAt,
        failure.lastFailedAt,
      ],
    );
    const record: KafkaRecord = {
      key: message.key,
      value: message.raw.value ?? Buffer.alloc(0),
      headers: {
        ...withoutDeadLetterHeaders(message.raw.headers),
        [DEAD_LETTER_HEADERS.id]: (stored.rows[0] as { id: string }).id,
        [DEAD_LETTER_HEADERS.error]: failure.error,
        [DEAD_LETTER_HEADERS.attempts]: String(failure.attempts),
        [DEAD_LETTER_HEADERS.originalTopic]: message.topic,
        [DEAD_LETTER_HEADERS.originalPartition]: String(message.partition),
        [DEAD_LETTER_HEADERS.originalOffset]: message.offset,
        [DEAD_LETTER_HEADERS.firstFailureAt]: failure.firstFailedAt.toISOString(),
        [DEAD_LETTER_HEADERS.lastFailureAt]: failure.lastFailedAt.toISOString(),
      },
    };
    await this.bus.publishRaw(this.topics.dlq, [record]);
    return record;
  }

  /** Dead letters not replayed yet, oldest first. */
  async list(limit: number): Promise<DeadLetter[]> {
    const result = await this.db.query<DeadLetterRow>(
      `SELECT ${COLUMNS} FROM workflow_dead_letters WHERE replayed_at IS NULL
       ORDER BY last_failed_at, id LIMIT $1`,
      [limit],
    );
    return result.rows.map(toDeadLetter);
  }

  /**
   * Publishes up to `limit` dead letters again to the source topic as the original
   * record (same bytes and headers, so the same CloudEvent id, which idempotent consumers
   * treat as the same event), without any dlq-* header. Messages that never decoded as
   * CloudEvents would only be dead-lettered again: they are not replayed and stay listed.
   */
  async replay(limit: number): Promise<{ replayed: number; skipped: number }> {
    const result = await this.db.query<
      DeadLetterRow & {
        message_key: string | null;
        message_value: Buffer | null;
        message_headers: Record<string, string>;
      }
    >(
      `SELECT ${COLUMNS}, message_key, message_value, message_headers FROM workflow_dead_letters
       WHERE replayed_at IS NULL ORDER BY last_failed_at, id LIMIT $1`,
      [limit],
    );
    let replayed = 0;
    let skipped = 0;
    for (const row of result.rows) {
      const headers = withoutDeadLetterHeaders(row.message_headers);
      try {
        fromKafkaRecord(headers, row.message_value);
      } catch (error) {
        if (!(error instanceof EnvelopeError)) throw error;
        skipped += 1;
        continue;
      }
      await this.bus.publishRaw(this.topics.source, [
        { key: row.message_key, value: row.message_value ?? Buffer.alloc(0), headers },
      ]);
      await this.db.query('UPDATE workflow_dead_letters SET replayed_at = now() WHERE id = $1', [
        row.id,
      ]);
      replayed += 1;
    }
    return { replayed, skipped };
  }
}

/** The headers of a record minus the ones a dead letter adds. */
export function withoutDeadLetterHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !name.startsWith(DEAD_LETTER_HEADER_PREFIX)),
  );
}

const COLUMNS = `id, event_id, topic, partition, "offset", error, attempts, first_failed_at,
  last_failed_at, replayed_at`;

interface DeadLetterRow {
  id: string;
  event_id: string | null;
  topic: string;
  partition: number;
  offset: string;
  error: string;
  attempts: number;
  first_failed_at: Date;
  last_failed_at: Date;
  replayed_at: Date | null;
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    eventId: row.event_id,
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    error: row.error,
    attempts: row.attempts,
    firstFailedAt: row.first_failed_at,
    lastFailedAt: row.last_failed_at,
    replayedAt: row.replayed_at,
  };
}
