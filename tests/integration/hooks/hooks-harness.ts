/**
 * What the hooks integration tests share: a hooks service on a fresh database and topic
 * prefix, API keys, a pg pool for assertions, and a Kafka consumer that records what
 * reached a topic.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import pg from 'pg';

import { ApiKeyStore, type Permission } from '../../../platform/auth/api-keys';
import type { Config } from '../../../platform/config';
import type { DeliveredEvent } from '../../../platform/events/event-bus';
import { KafkaEventBus } from '../../../platform/events/kafka-event-bus';
import { createLogger } from '../../../platform/logger';
import { type Runtime, createRuntime } from '../../../platform/runtime';
import type { Service } from '../../../platform/service';
import { createHooksService } from '../../../subgraphs/hooks/service';
import {
  TEST_KAFKA_BROKERS,
  createTestDatabase,
  realServersConfig,
  uniqueName,
} from '../../support/environment';
import { gatewayIdentityHeaders } from '../../support/identity';

export interface HooksHarness {
  config: Config;
  runtime: Runtime;
  service: Service;
  db: pg.Pool;
  databaseUrl: string;
  writerKey: string;
  writerKeyId: string;
  readerKey: string;
  close(): Promise<void>;
}

export async function startHooksHarness(
  overrides: Record<string, string> = {},
): Promise<HooksHarness> {
  const database = await createTestDatabase();
  const config = realServersConfig(database.url, { OUTBOX_POLL_INTERVAL_MS: '200', ...overrides });
  const runtime = await createRuntime(config);
  const service = await createHooksService(runtime);
  await service.start();
  const db = new pg.Pool({ connectionString: database.url, max: 3 });
  const keys = new ApiKeyStore(db);
  const writer = await keys.create({ name: 'writer', permissions: ['hooks:write', 'hooks:read'] });
  const reader = await keys.create({ name: 'reader', permissions: ['hooks:read'] });
  // Subgraph GraphQL trusts only the gateway's signed identity: stand in for the gateway.
  identities.set(writer.key, await gatewayIdentityHeaders(runtime, ['hooks:write', 'hooks:read']));
  identities.set(reader.key, await gatewayIdentityHeaders(runtime, ['hooks:read']));
  readerKeyOfLastHarness = reader.key;
  return {
    config,
    runtime,
    service,
    db,
    databaseUrl: database.url,
    writerKey: writer.key,
    writerKeyId: writer.id,
    readerKey: reader.key,
    async close() {
      await service.stop();
      await runtime.stop();
      await db.end();
      await database.drop();
    },
  };
}

const identities = new Map<string, Record<string, string>>();
let readerKeyOfLastHarness: string | undefined;

/**
 * The headers the gateway would send for a caller holding this API key: the signed
 * identity in place of the key. No key, no identity (the subgraph answers 401).
 */
export function identityFor(key: string | undefined): Record<string, string> {
  return (key && identities.get(key)) || {};
}

export interface TopicRecorder {
  events: DeliveredEvent[];
  waitFor(predicate: (events: DeliveredEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Records every event of `topic` from the beginning, on its own bus and consumer group. */
export async function recordTopic(
  topic: string,
  brokers = TEST_KAFKA_BROKERS,
): Promise<TopicRecorder> {
  const bus = new KafkaEventBus({
    brokers: brokers.split(','),
    clientId: 'hooks-test-recorder',
    log: createLogger({ level: 'silent', service: 'test' }),
  });
  const events: DeliveredEvent[] = [];
  await bus.ensureTopics([topic]);
  await bus.subscribe({
    groupId: uniqueName('recorder'),
    topics: [topic],
    fromBeginning: true,
    handle: async (event) => {
      events.push(event);
    },
  });
  return {
    events,
    waitFor: (predicate, timeoutMs) => waitUntil(() => predicate(events), timeoutMs),
    close: () => bus.close(),
  };
}

export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  message = 'condition not met',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${message} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function postHook(
  baseUrl: string,
  options: {
    key?: string | undefined;
    body?: unknown;
    raw?: string;
    contentType?: string;
    headers?: Record<string, string>;
  },
): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    ...(options.key ? { 'x-api-key': options.key } : {}),
    ...options.headers,
  };
  const body = options.raw ?? JSON.stringify(options.body);
  return fetch(`${baseUrl}/api/v1/hooks/receive`, { method: 'POST', headers, body });
}

export async function graphql(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{
  data?: Record<string, unknown>;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}> {
  // Without a key the call goes as a reader; an empty key sends no identity at all.
  const { 'x-api-key': key = readerKeyOfLastHarness, ...rest } = headers;
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...rest, ...identityFor(key) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as never;
}

/**
 * What intake writes (the relay's later 'published' history rows are not counted, so the
 * numbers stay still while the relay works).
 */
export async function countRows(
  db: pg.Pool,
): Promise<{ events: number; outbox: number; history: number }> {
  const result = await db.query<{ events: number; outbox: number; history: number }>(
    `SELECT (SELECT count(*)::int FROM hook_events) AS events,
            (SELECT count(*)::int FROM hook_outbox) AS outbox,
            (SELECT count(*)::int FROM hook_event_history WHERE status = 'received') AS history`,
  );
  return result.rows[0] as { events: number; outbox: number; history: number };
}

/**
 * A TCP proxy in front of PostgreSQL that a test can cut: the service's database becomes
 * unreachable without touching the shared server.
 */
export async function startCuttableProxy(target: { host: string; port: number }): Promise<{
  url(databaseUrl: string): string;
  cut(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export type { Permission };
