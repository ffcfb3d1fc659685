/**
 * CloudEvents 1.0 envelopes and their Kafka binary-mode encoding: the attributes travel as
 * `ce_*` headers and the message value is the JSON data alone, so consumers that only
 * want the payload never parse an envelope.
 */
import { randomUUID } from 'node:crypto';

export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  /** Extension attribute: the id of the request or event that started this chain. */
  correlationid: string;
  data: T;
}

export interface NewEvent<T> {
  type: string;
  source: string;
  data: T;
  subject?: string;
  /** @default the new event's own id, starting a new chain */
  correlationId?: string;
  /** @default a random UUID */
  id?: string;
  /** @default now */
  time?: Date;
}

export function createEnvelope<T>(event: NewEvent<T>): EventEnvelope<T> {
  const id = event.id ?? randomUUID();
  const envelope: EventEnvelope<T> = {
    specversion: '1.0',
    id,
    source: event.source,
    type: event.type,
    time: (event.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    correlationid: event.correlationId ?? id,
    data: event.data,
  };
  if (event.subject !== undefined) envelope.subject = event.subject;
  return envelope;
}

export interface KafkaRecord {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

const REQUIRED_ATTRIBUTES = ['id', 'source', 'type', 'specversion'] as const;

export function toKafkaRecord(envelope: EventEnvelope, key: string | null): KafkaRecord {
  const headers: Record<string, string> = {
    ce_specversion: envelope.specversion,
    ce_id: envelope.id,
    ce_source: envelope.source,
    ce_type: envelope.type,
    ce_time: envelope.time,
    ce_correlationid: envelope.correlationid,
    'content-type': envelope.datacontenttype,
  };
  if (envelope.subject !== undefined) headers['ce_subject'] = envelope.subject;
  return { key, value: Buffer.from(JSON.stringify(envelope.data)), headers };
}

export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
}

/**
 * Decodes a binary-mode record. Throws EnvelopeError for a message that is not a valid
 * CloudEvent (a poison message to its consumer), never returns a partial envelope.
 */
export function fromKafkaRecord(
  headers: Record<string, Buffer | string | undefined>,
  value: Buffer | null,
): EventEnvelope {
  const header = (name: string): string | undefined => {
    const raw = headers[name];
    return raw === undefined ? undefined : raw.toString();
  };
  for (const attribute of REQUIRED_ATTRIBUTES) {
    if (!header(`ce_${attribute}`)) {
      throw new EnvelopeError(`missing CloudEvents header ce_${attribute}`);
    }
  }
  if (header('ce_specversion') !== '1.0') {
    throw new EnvelopeError(`unsupported CloudEvents specversion ${header('ce_specversion')}`);
  }
  let data: unknown;
  try {
    data = value === null || value.length === 0 ? null : JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new EnvelopeError(`event data is not JSON: ${(error as Error).message}`);
  }
  const id = header('ce_id') as string;
  const envelope: EventEnvelope = {
    specversion: '1.0',
    id,
    source: header('ce_source') as string,
    type: header('ce_type') as string,
    time: header('ce_time') ?? new Date(0).toISOString(),
    datacontenttype: 'application/json',
    correlationid: header('ce_correlationid') ?? id,
    data,
  };
  const subject = header('ce_subject');
  if (subject !== undefined) envelope.subject = subject;
  return envelope;
}
