/**
 * POST /api/v1/hooks/receive on real PostgreSQL and Kafka: a 202 means the event, its
 * history and its outbox row are stored and a CloudEvent reaches workflow.events; bad
 * input and missing credentials store nothing.
 */
import { Topics, EventTypes } from '../../../platform/events/topics';
import type { HookEventData } from '../../../platform/events/workflow-events';
import {
  type HooksHarness,
  type TopicRecorder,
  countRows,
  postHook,
  recordTopic,
  startHooksHarness,
  waitUntil,
} from './hooks-harness';

jest.setTimeout(60_000);

let harness: HooksHarness;
let recorder: TopicRecorder;
let baseUrl: string;

const payload = {
  source: 'github',
  action: 'opened',
  resource: 'pull_request',
  resource_id: 'pr-42',
  data: { title: 'Add intake', number: 42 },
};

beforeAll(async () => {
  harness = await startHooksHarness({ WEBHOOK_MAX_BODY_BYTES: '2048' });
  baseUrl = harness.service.url;
  recorder = await recordTopic(harness.runtime.topic(Topics.workflowEvents));
});

afterAll(async () => {
  await recorder?.close();
  await harness?.close();
});

test('a valid delivery gets 202 after its event, history and outbox row are stored, then reaches workflow.events', async () => {
  const response = await postHook(baseUrl, {
    key: harness.writerKey,
    body: payload,
    headers: {
      'x-correlation-id': 'corr-1',
      'user-agent': 'GitHub-Hookshot/abc',
      'x-github-event': 'pull_request',
    },
  });
  expect(response.status).toBe(202);
  const body = (await response.json()) as { event_id: string; status: string };
  expect(body).toEqual({ event_id: expect.any(String), status: 'accepted' });

  const stored = await harness.db.query('SELECT * FROM hook_events WHERE id = $1', [body.event_id]);
  expect(stored.rows[0]).toMatchObject({
    source: 'github',
    action: 'opened',
    resource: 'pull_request',
    resource_id: 'pr-42',
    data: payload.data,
    correlation_id: 'corr-1',
    api_key_id: harness.writerKeyId,
    source_ip: '127.0.0.1',
    body_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  expect(stored.rows[0].headers).toMatchObject({
    'user-agent': 'GitHub-Hookshot/abc',
    'x-github-event': 'pull_request',
  });
  expect(stored.rows[0].headers).not.toHaveProperty('x-api-key');
  const outbox = await harness.db.query(
    'SELECT partition_key FROM hook_outbox WHERE event_id = $1',
    [body.event_id],
  );
  expect(outbox.rows).toEqual([{ partition_key: 'github' }]);

  await recorder.waitFor((events) => events.some((event) => event.envelope.id === body.event_id));
  const delivered = recorder.events.find((event) => event.envelope.id === body.event_id);
  expect(delivered?.key).toBe('github');
  expect(delivered?.raw.headers).toMatchObject({
    ce_specversion: '1.0',
    ce_id: body.event_id,
    ce_type: EventTypes.hookReceived,
    ce_source: '/hooks/github',
    ce_subject: 'pr-42',
    ce_correlationid: 'corr-1',
    ce_time: expect.any(String),
  });
  const data = delivered?.envelope.data as HookEventData;
  expect(data).toMatchObject({
    eventId: body.event_id,
    source: 'github',
    action: 'opened',
    resource: 'pull_request',
    resourceId: 'pr-42',
    data: payload.data,
  });

  // The relay marks the row and the event once Kafka acknowledged it.
  await waitUntil(async () => {
    const row = await harness.db.query('SELECT status FROM hook_events WHERE id = $1', [
      body.event_id,
    ]);
    return row.rows[0]?.status === 'published';
  });
  const history = await harness.db.query(
    'SELECT status FROM hook_event_history WHERE event_id = $1 ORDER BY id',
    [body.event_id],
  );
  expect(history.rows.map((row) => row.status)).toEqual(['received', 'published']);
  const published = await harness.db.query(
    'SELECT published_at FROM hook_outbox WHERE event_id = $1',
    [body.event_id],
  );
  expect(published.rows[0].published_at).toBeInstanceOf(Date);
});

describe('bad input gets its 4xx and stores nothing', () => {
  test.each([
    {
      name: 'missing fields (400 with field errors)',
      request: { body: { source: 'github', action: '' } },
      status: 400,
      error: 'VALIDATION_FAILED',
      fieldErrors: {
        action: 'action must not be empty',
        resource: 'resource is required',
        resource_id: 'resource_id is required',
      },
    },
    {
      name: 'a source with characters outside the allowed set',
      request: { body: { ...payload, source: 'git hub/x' } },
      status: 400,
      error: 'VALIDATION_FAILED',
      fieldErrors: { source: expect.stringContaining('may contain only') },
    },
    {
      name: 'malformed JSON',
      request: { raw: '{"source": "github",' },
      status: 400,
      error: 'BAD_REQUEST',
    },
    { name: 'a JSON array', request: { raw: '[1,2]' }, status: 400, error: 'VALIDATION_FAILED' },
    { name: 'an empty body', request: { raw: '' }, status: 400, error: 'BAD_REQUEST' },
    {
      name: 'a body over WEBHOOK_MAX_BODY_BYTES',
      request: { body: { ...payload, data: { blob: 'x'.repeat(4096) } } },
      status: 413,
      error: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'a non-JSON content type',
      request: { raw: 'source=github', contentType: 'application/x-www-form-urlencoded' },
      status: 415,
      error: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'text/plain',
      request: { raw: JSON.stringify(payload), contentType: 'text/plain' },
      status: 415,
      error: 'UNSUPPORTED_MEDIA_TYPE',
    },
  ])('$name', async ({ request, status, error, fieldErrors }) => {
    const before = await countRows(harness.db);
    const response = await postHook(baseUrl, { key: harness.writerKey, ...request });
    expect(response.status).toBe(status);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      error,
      request_id: expect.any(String),
      timestamp: expect.any(String),
    });
    if (fieldErrors) expect(body['field_errors']).toEqual(fieldErrors);
    expect(await countRows(harness.db)).toEqual(before);
  });
});

describe('credentials', () => {
  test('no API key gets 401 and stores nothing', async () => {
    const before = await countRows(harness.db);
    const response = await postHook(baseUrl, { body: payload });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'INVALID_API_KEY' });
    expect(await countRows(harness.db)).toEqual(before);
  });

  test('an unknown API key gets 401', async () => {
    const response = await postHook(baseUrl, {
      key: 'onb_not-a-real-key-000000000000000000000',
      body: payload,
    });
    expect(response.status).toBe(401);
  });

  test('a key without hooks:write gets 403 naming the permission', async () => {
    const before = await countRows(harness.db);
    const response = await postHook(baseUrl, { key: harness.readerKey, body: payload });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: 'INSUFFICIENT_PERMISSIONS',
      required_permissions: ['hooks:write'],
      current_permissions: ['hooks:read'],
    });
    expect(await countRows(harness.db)).toEqual(before);
  });

  test('Authorization: Bearer works like X-API-Key', async () => {
    const response = await fetch(`${baseUrl}/api/v1/hooks/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${harness.writerKey}` },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(202);
  });
});

test('/health reports the database as critical and the event bus as reported', async () => {
  const response = await fetch(`${baseUrl}/health`);
  expect(response.status).toBe(200);
  const report = (await response.json()) as {
    dependencies: Record<string, { status: string; critical: boolean }>;
  };
  expect(report.dependencies['database']).toMatchObject({ status: 'up', critical: true });
  expect(report.dependencies['event_bus']).toMatchObject({
    status: 'up',
    critical: false,
    kind: 'kafka',
  });
  expect(report.dependencies['outbox']).toMatchObject({
    status: 'up',
    pending: expect.any(Number),
  });
});

test('/metrics counts accepted deliveries', async () => {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  expect(text).toMatch(/hooks_received_total\{outcome="accepted",service="hooks"\} [1-9]/);
  expect(text).toMatch(/hooks_outbox_published_total\{service="hooks"\} [1-9]/);
});
