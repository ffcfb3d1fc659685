/**
 * Kafka down during a burst: webhooks are still accepted (202, stored with their outbox
 * rows), the relay records the failures and raises its alert, and once the broker is back
 * exactly the accepted event ids reach workflow.events.
 *
 * The shared broker is never touched: this file starts its own (tests/support/private-broker.ts),
 * stops it in the middle of the test and starts it again on the same data.
 */
import pg from 'pg';

import { ApiKeyStore } from '../../../platform/auth/api-keys';
import { Topics } from '../../../platform/events/topics';
import { type Runtime, createRuntime } from '../../../platform/runtime';
import type { Service } from '../../../platform/service';
import { createHooksService } from '../../../subgraphs/hooks/service';
import { createTestDatabase, realServersConfig } from '../../support/environment';
import { metricValue } from '../../support/metrics';
import { type PrivateBroker, startPrivateBroker } from '../../support/private-broker';
import { type TopicRecorder, postHook, recordTopic, waitUntil } from './hooks-harness';

jest.setTimeout(240_000);

const BURST = 40;

let broker: PrivateBroker;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let runtime: Runtime;
let service: Service;
let db: pg.Pool;
let key: string;
let recorder: TopicRecorder | undefined;

beforeAll(async () => {
  broker = await startPrivateBroker('hooks');

  database = await createTestDatabase();
  runtime = await createRuntime(
    realServersConfig(database.url, {
      KAFKA_BROKERS: broker.brokers,
      OUTBOX_POLL_INTERVAL_MS: '200',
      OUTBOX_ALERT_AFTER_FAILURES: '2',
    }),
  );
  service = await createHooksService(runtime);
  await service.start();
  db = new pg.Pool({ connectionString: database.url, max: 2 });
  key = (await new ApiKeyStore(db).create({ name: 'writer', permissions: ['hooks:write'] })).key;
});

afterAll(async () => {
  await recorder?.close();
  await service?.stop();
  await runtime?.stop();
  await db?.end();
  await database?.drop();
  await broker?.remove();
});

const send = (resourceId: string) =>
  postHook(service.url, {
    key,
    body: {
      source: `src-${Number(resourceId.split('-')[1]) % 3}`,
      action: 'burst',
      resource: 'item',
      resource_id: resourceId,
    },
  });

const metric = (name: string) => metricValue(service.url, name);

test('a burst accepted while Kafka is down reaches workflow.events exactly once per event after it returns', async () => {
  await broker.stop();

  const responses = await Promise.all(
    Array.from({ length: BURST }, (_, index) => send(`item-${index}`)),
  );
  expect(responses.map((response) => response.status)).toEqual(Array(BURST).fill(202));
  const accepted = new Set(
    await Promise.all(
      responses.map(async (response) => ((await response.json()) as { event_id: string }).event_id),
    ),
  );
  expect(accepted.size).toBe(BURST);

  // Degraded, not down: the bus is reported, the database is what /health depends on.
  const health = await fetch(`${service.url}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({
    status: 'degraded',
    dependencies: { event_bus: { status: 'down' } },
  });

  // The relay keeps trying, records why on the rows, and alerts after the threshold.
  await waitUntil(
    async () => (await metric('hooks_outbox_publish_alerting')) === 1,
    60_000,
    'alert not raised',
  );
  const failing = await db.query(
    'SELECT max(attempts)::int AS attempts, max(last_error) AS error FROM hook_outbox WHERE published_at IS NULL',
  );
  expect(failing.rows[0].attempts).toBeGreaterThanOrEqual(1);
  expect(failing.rows[0].error).toEqual(expect.any(String));
  expect(await metric('hooks_outbox_publish_failures_total')).toBeGreaterThanOrEqual(2);

  await broker.start();

  recorder = await recordTopic(runtime.topic(Topics.workflowEvents), broker.brokers);
  await waitUntil(
    async () =>
      (await db.query("SELECT count(*)::int AS n FROM hook_events WHERE status = 'received'"))
        .rows[0].n === 0,
    120_000,
    'outbox not drained',
  );
  await recorder.waitFor(
    (events) => new Set(events.map((event) => event.envelope.id)).size >= BURST,
    60_000,
  );

  const delivered = recorder.events.map((event) => event.envelope.id);
  expect(new Set(delivered)).toEqual(accepted);
  // Each id once: the relay published each row in one successful batch.
  expect(delivered).toHaveLength(BURST);
  expect(await metric('hooks_outbox_published_total')).toBe(BURST);
  expect(await metric('hooks_outbox_publish_alerting')).toBe(0);

  // Per-source order survived the retries: each source's events arrive in insertion order.
  const order = await db.query<{ id: string; partition_key: string }>(
    'SELECT event_id AS id, partition_key FROM hook_outbox ORDER BY hook_outbox.id',
  );
  for (const source of ['src-0', 'src-1', 'src-2']) {
    const expected = order.rows.filter((row) => row.partition_key === source).map((row) => row.id);
    const got = recorder.events
      .filter((event) => event.key === source)
      .map((event) => event.envelope.id);
    expect(got).toEqual(expected);
  }
});
