/**
 * Dead letters of workflow.events: messages that could not be processed after their
 * retries. Each is published to workflow.events.dlq and kept in workflow_dead_letters,
 * from where `replay` publishes the original event again to workflow.events.
 *
 * TODO(issue 4): the EventBus publishes CloudEvents only, so the DLQ message is a
 * CloudEvent (`dev.omninode.workflow.event.dead_lettered`) whose data holds the original
 * key, value and headers and the failure fields, rather than the original record with
 * extra Kafka headers. A raw-record publish on EventBus would allow the header form.
 */
import { randomUUID } from 'node:crypto';

import type { Queryable } from '../../platform/db/pool';
import { EnvelopeError, createEnvelope, fromKafkaRecord } from '../../platform/events/envelope';
import type { EventBus } from '../../platform/events/event-bus';

export const DEAD_LETTER_EVENT_TYPE = 'dev.omninode.workflow.event.dead_lettered';
export const DEAD_LETTER_SOURCE = '/omninode/workflows/coordinator';

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

/** The data of a DLQ CloudEvent. */
export interface DeadLetterData {
  deadLetterId: string;
  eventId: string | null;
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  originalKey: string | null;
  /** The original message value, base64. */
  originalValueBase64: string | null;
  originalHeaders: Record<string, string>;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
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

  /** Stores and publishes the dead letter; a message dead-lettered before is published again. */
  async send(message: FailedMessage, failure: FailureRecord): Promise<DeadLetterData> {
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
    const data: DeadLetterData = {
      deadLetterId: (stored.rows[0] as { id: string }).id,
      eventId: message.eventId ?? null,
      originalTopic: message.topic,
      originalPartition: message.partition,
      originalOffset: message.offset,
      originalKey: message.key,
      originalValueBase64: message.raw.value?.toString('base64') ?? null,
      originalHeaders: message.raw.headers,
      error: failure.error,
      attempts: failure.attempts,
      firstFailedAt: failure.firstFailedAt.toISOString(),
      lastFailedAt: failure.lastFailedAt.toISOString(),
    };
    const envelope = createEnvelope({
      type: DEAD_LETTER_EVENT_TYPE,
      source: DEAD_LETTER_SOURCE,
      data,
      ...(message.eventId === undefined ? {} : { subject: message.eventId }),
      ...(message.correlationId === undefined ? {} : { correlationId: message.correlationId }),
    });
    await this.bus.publish(this.topics.dlq, [{ envelope, key: message.key }]);
    return data;
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
   * Publishes up to `limit` dead letters again to the source topic, as the original event
   * (same id, so idempotent consumers treat it as the same event). Messages that never
   * decoded as CloudEvents cannot be replayed and stay listed.
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
      let envelope;
      try {
        envelope = fromKafkaRecord(row.message_headers, row.message_value);
      } catch (error) {
        if (!(error instanceof EnvelopeError)) throw error;
        skipped += 1;
        continue;
      }
      await this.bus.publish(this.topics.source, [{ envelope, key: row.message_key }]);
      await this.db.query('UPDATE workflow_dead_letters SET replayed_at = now() WHERE id = $1', [
        row.id,
      ]);
      replayed += 1;
    }
    return { replayed, skipped };
  }
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
