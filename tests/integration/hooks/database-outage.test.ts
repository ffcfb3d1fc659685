/**
 * With PostgreSQL unreachable the intake answers 503 with Retry-After, never 202. The
 * service under test reaches the shared PostgreSQL through a proxy the test cuts, so the
 * shared server is never stopped.
 */
import { Topics } from '../../../platform/events/topics';
import type { Service } from '../../../platform/service';
import { createHooksService } from '../../../subgraphs/hooks/service';
import { ApiKeyStore } from '../../../platform/auth/api-keys';
import {
  type HooksHarness,
  countRows,
  postHook,
  recordTopic,
  startCuttableProxy,
  startHooksHarness,
  identityFor,
} from './hooks-harness';

jest.setTimeout(60_000);

let harness: HooksHarness;
let service: Service;
let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;

const payload = {
  source: 'ci',
  action: 'finished',
  resource: 'build',
  resource_id: 'b-1',
  data: {},
};

beforeAll(async () => {
  harness = await startHooksHarness();
  const url = new URL(harness.databaseUrl);
  proxy = await startCuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
  service = await createHooksService({
    ...harness.runtime,
    databaseUrl: proxy.url(harness.databaseUrl),
  });
  await service.start();
});

afterAll(async () => {
  await service?.stop();
  await harness?.close();
});

test('PostgreSQL unreachable: 503 with Retry-After and nothing accepted', async () => {
  // While the database is up, the same service accepts (and caches the key's verification).
  const first = await postHook(service.url, { key: harness.writerKey, body: payload });
  expect(first.status).toBe(202);
  const before = await countRows(harness.db);

  await proxy.cut();

  const response = await postHook(service.url, {
    key: harness.writerKey,
    body: { ...payload, resource_id: 'b-2' },
  });
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(await response.json()).toMatchObject({
    error: 'DATABASE_UNAVAILABLE',
    retry_after: expect.any(Number),
  });

  // A key that is not cached cannot be checked either: still 503, not 401.
  const freshKey = await new ApiKeyStore(harness.db).create({
    name: 'fresh',
    permissions: ['hooks:write'],
  });
  const unchecked = await postHook(service.url, { key: freshKey.key, body: payload });
  expect(unchecked.status).toBe(503);

  const mutation = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...identityFor(harness.writerKey) },
    body: JSON.stringify({
      query:
        'mutation { receiveHook(input: {source: "ci", action: "a", resource: "r", resourceId: "x"}) { eventId } }',
    }),
  });
  const result = (await mutation.json()) as {
    data: unknown;
    errors: Array<{ extensions: { code: string } }>;
  };
  expect(result.data).toBeNull();
  expect(result.errors[0]?.extensions.code).toBe('DATABASE_UNAVAILABLE');

  const health = await fetch(`${service.url}/health`);
  expect(health.status).toBe(503);
  expect(await health.json()).toMatchObject({
    status: 'down',
    dependencies: { database: { status: 'down', critical: true } },
  });

  expect(await countRows(harness.db)).toEqual(before);
});

test('the event accepted before the outage still reaches workflow.events', async () => {
  // The harness's own service shares the database directly and relays the outbox.
  const recorder = await recordTopic(harness.runtime.topic(Topics.workflowEvents));
  try {
    await recorder.waitFor((events) => events.some((event) => event.envelope.subject === 'b-1'));
  } finally {
    await recorder.close();
  }
});
