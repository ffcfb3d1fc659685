/**
 * Every query on hook_events, its history, the outbox and the idempotency keys. Callers
 * pass the connection (pool or a transaction's client). The intake's writes (event, first
 * history row, outbox row, idempotency claim) are in grouped-event-writer.ts.
 */
import type { EventEnvelope } from '../../../platform/events/envelope';
import type { Queryable } from '../../../platform/db/pool';
import type { HookPayload } from '../intake/hook-payload';
import type { EventPosition } from './event-cursor';

export const HOOK_EVENT_STATUSES = [
  'received',
  'published',
  'processed',
  'failed',
  'dead_lettered',
] as const;
export type HookEventStatus = (typeof HOOK_EVENT_STATUSES)[number];

export interface HookEventRecord {
  id: string;
  source: string;
  action: string;
  resource: string;
  resourceId: string;
  data: unknown;
  status: HookEventStatus;
  correlationId: string;
  receivedAt: Date;
  publishedAt: Date | null;
  sourceIp: string | null;
  apiKeyId: string | null;
  bodySha256: string;
  headers: Record<string, string>;
  signatureScheme: string | null;
  idempotencyKey: string | null;
}

export interface HistoryRecord {
  eventId: string;
  status: HookEventStatus;
  at: Date;
  detail: unknown;
}

export interface DeliveryAudit {
  sourceIp: string | null;
  apiKeyId: string | null;
  /** The headers that matter for tracing a delivery (never credentials). */
  headers: Record<string, string>;
  /** SHA-256 of the raw request body, hex. */
  bodySha256: string;
  signatureScheme: string | null;
}

export interface NewHookEvent {
  id: string;
  payload: HookPayload;
  correlationId: string;
  receivedAt: Date;
  audit: DeliveryAudit;
  idempotencyKey: string | null;
  envelope: EventEnvelope;
  partitionKey: string;
}

export interface HookEventFilter {
  source?: string | undefined;
  action?: string | undefined;
  status?: HookEventStatus | undefined;
  receivedAfter?: Date | undefined;
  receivedBefore?: Date | undefined;
}

interface HookEventRow {
  id: string;
  source: string;
  action: string;
  resource: string;
  resource_id: string;
  data: unknown;
  status: HookEventStatus;
  correlation_id: string;
  received_at: Date;
  published_at: Date | null;
  source_ip: string | null;
  api_key_id: string | null;
  body_sha256: string;
  headers: Record<string, string>;
  signature_scheme: string | null;
  idempotency_key: string | null;
}

const EVENT_COLUMNS = `id, source, action, resource, resource_id, data, status, correlation_id,
  received_at, published_at, source_ip, api_key_id, body_sha256, headers, signature_scheme,
  idempotency_key`;

/** Forgets idempotency keys past their retention; returns how many were removed. */
export async function deleteExpiredIdempotencyKeys(db: Queryable, limit: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM hook_idempotency_keys WHERE key IN (
       SELECT key FROM hook_idempotency_keys WHERE expires_at <= now() LIMIT $1)`,
    [limit],
  );
  return result.rowCount ?? 0;
}

export async function findHookEvents(
  db: Queryable,
  ids: readonly string[],
): Promise<HookEventRecord[]> {
  if (ids.length === 0) return [];
  const result = await db.query<HookEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM hook_events WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return result.rows.map(toRecord);
}

/** Newest first, `limit` events after `after` (exclusive) that match `filter`. */
export async function listHookEvents(
  db: Queryable,
  query: { filter: HookEventFilter; limit: number; after: EventPosition | undefined },
): Promise<HookEventRecord[]> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const bind = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const { filter, after } = query;
  if (filter.source !== undefined) conditions.push(`source = ${bind(filter.source)}`);
  if (filter.action !== undefined) conditions.push(`action = ${bind(filter.action)}`);
  if (filter.status !== undefined) conditions.push(`status = ${bind(filter.status)}`);
  if (filter.receivedAfter) conditions.push(`received_at >= ${bind(filter.receivedAfter)}`);
  if (filter.receivedBefore) conditions.push(`received_at < ${bind(filter.receivedBefore)}`);
  if (after) {
    conditions.push(`(received_at, id) < (${bind(after.receivedAt)}, ${bind(after.id)}::uuid)`);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const result = await db.query<HookEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM hook_events ${where}
     ORDER BY received_at DESC, id DESC LIMIT ${bind(query.limit)}`,
    values,
  );
  return result.rows.map(toRecord);
}

export async function findHistory(
  db: Queryable,
  eventIds: readonly string[],
): Promise<HistoryRecord[]> {
  if (eventIds.length === 0) return [];
  const result = await db.query<{
    event_id: string;
    status: HookEventStatus;
    at: Date;
    detail: unknown;
  }>(
    `SELECT event_id, status, at, detail FROM hook_event_history
     WHERE event_id = ANY($1::uuid[]) ORDER BY id`,
    [eventIds],
  );
  return result.rows.map((row) => ({
    eventId: row.event_id,
    status: row.status,
    at: row.at,
    detail: row.detail,
  }));
}

function toRecord(row: HookEventRow): HookEventRecord {
  return {
    id: row.id,
    source: row.source,
    action: row.action,
    resource: row.resource,
    resourceId: row.resource_id,
    data: row.data,
    status: row.status,
    correlationId: row.correlation_id,
    receivedAt: row.received_at,
    publishedAt: row.published_at,
    sourceIp: row.source_ip,
    apiKeyId: row.api_key_id,
    bodySha256: row.body_sha256,
    headers: row.headers,
    signatureScheme: row.signature_scheme,
    idempotencyKey: row.idempotency_key,
  };
}
