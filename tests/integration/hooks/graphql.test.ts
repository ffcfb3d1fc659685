/**
 * The hooks subgraph over GraphQL: hookEvent with its history, hookEvents with filters and
 * cursor pagination, the HookEvent entity as the gateway fetches it, and receiveHook.
 */
import { createEnvelope } from '../../../platform/events/envelope';
import { EventTypes, Topics } from '../../../platform/events/topics';
import type { WorkflowEventData } from '../../../platform/events/workflow-events';
import {
  type HooksHarness,
  graphql,
  postHook,
  startHooksHarness,
  waitUntil,
} from './hooks-harness';

jest.setTimeout(60_000);

let harness: HooksHarness;
let baseUrl: string;
const eventIds: string[] = [];

beforeAll(async () => {
  harness = await startHooksHarness();
  baseUrl = harness.service.url;
  // Five events of one source, one of another; sequential so received_at orders them.
  for (const [index, source] of [
    'stripe',
    'stripe',
    'stripe',
    'stripe',
    'stripe',
    'github',
  ].entries()) {
    const response = await postHook(baseUrl, {
      key: harness.writerKey,
      body: {
        source,
        action: index % 2 === 0 ? 'created' : 'updated',
        resource: 'invoice',
        resource_id: `in_${index}`,
        data: { index },
      },
    });
    eventIds.push(((await response.json()) as { event_id: string }).event_id);
  }
});

afterAll(async () => {
  await harness?.close();
});

test('hookEvent returns the event with its history, oldest first', async () => {
  await waitUntil(async () => {
    const result = await harness.db.query(
      "SELECT count(*)::int AS n FROM hook_events WHERE status = 'published'",
    );
    return result.rows[0].n === eventIds.length;
  });
  const result = await graphql(
    baseUrl,
    `
      query ($id: ID!) {
        hookEvent(id: $id) {
          id
          source
          action
          resource
          resourceId
          data
          status
          correlationId
          receivedAt
          publishedAt
          history {
            status
            at
          }
        }
      }
    `,
    { id: eventIds[0] },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data?.['hookEvent']).toMatchObject({
    id: eventIds[0],
    source: 'stripe',
    action: 'created',
    resource: 'invoice',
    resourceId: 'in_0',
    data: { index: 0 },
    status: 'PUBLISHED',
    receivedAt: expect.any(String),
    publishedAt: expect.any(String),
    history: [{ status: 'RECEIVED' }, { status: 'PUBLISHED' }],
  });
});

test('hookEvent of an unknown or malformed id is null', async () => {
  const result = await graphql(
    baseUrl,
    `
      {
        a: hookEvent(id: "00000000-0000-4000-8000-000000000000") {
          id
        }
        b: hookEvent(id: "nope") {
          id
        }
      }
    `,
  );
  expect(result).toEqual({ data: { a: null, b: null } });
});

test('hookEvents pages newest first with opaque cursors until hasNextPage is false', async () => {
  const query = `query ($after: String) {
    hookEvents(filter: { source: "stripe" }, first: 2, after: $after) {
      edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const result = await graphql(baseUrl, query, { after });
    expect(result.errors).toBeUndefined();
    const connection = result.data?.['hookEvents'] as {
      edges: Array<{ cursor: string; node: { id: string } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    seen.push(...connection.edges.map((edge) => edge.node.id));
    pages += 1;
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  expect(pages).toBe(3);
  expect(seen).toEqual(eventIds.slice(0, 5).reverse());
});

test('hookEvents filters by action and time range', async () => {
  const result = await graphql(
    baseUrl,
    `
      query ($after: DateTime) {
        hookEvents(filter: { action: "updated", receivedAfter: $after }) {
          edges {
            node {
              resourceId
              action
            }
          }
        }
      }
    `,
    { after: new Date(Date.now() - 60_000).toISOString() },
  );
  const nodes = (
    result.data?.['hookEvents'] as { edges: Array<{ node: { resourceId: string } }> }
  ).edges.map((edge) => edge.node.resourceId);
  expect(nodes).toEqual(['in_5', 'in_3', 'in_1']);

  const future = await graphql(
    baseUrl,
    `
      {
        hookEvents(filter: { receivedAfter: "2999-01-01T00:00:00Z" }) {
          edges {
            cursor
          }
        }
      }
    `,
  );
  expect(future.data?.['hookEvents']).toEqual({ edges: [] });
});

test('a bad cursor or page size is a VALIDATION_FAILED error', async () => {
  const badCursor = await graphql(
    baseUrl,
    `
      {
        hookEvents(after: "garbage") {
          edges {
            cursor
          }
        }
      }
    `,
  );
  expect(badCursor.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');
  const badSize = await graphql(
    baseUrl,
    `
      {
        hookEvents(first: 1000) {
          edges {
            cursor
          }
        }
      }
    `,
  );
  expect(badSize.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');
});

test('HookEvent entities resolve by reference, as the gateway asks for them', async () => {
  const result = await graphql(
    baseUrl,
    `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on HookEvent {
            id
            resourceId
            history {
              status
            }
          }
        }
      }
    `,
    {
      representations: [
        { __typename: 'HookEvent', id: eventIds[2] },
        { __typename: 'HookEvent', id: '00000000-0000-4000-8000-000000000000' },
        { __typename: 'HookEvent', id: eventIds[5] },
      ],
    },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data?.['_entities']).toEqual([
    {
      id: eventIds[2],
      resourceId: 'in_2',
      history: expect.arrayContaining([{ status: 'RECEIVED' }]),
    },
    null,
    {
      id: eventIds[5],
      resourceId: 'in_5',
      history: expect.arrayContaining([{ status: 'RECEIVED' }]),
    },
  ]);
});

test('receiveHook stores through the same intake and needs hooks:write', async () => {
  const mutation = `mutation ($input: ReceiveHookInput!) { receiveHook(input: $input) { eventId status event { id source status history { status } } } }`;
  const input = {
    source: 'gql',
    action: 'ping',
    resource: 'check',
    resourceId: 'c-1',
    data: { ok: true },
  };

  const denied = (await graphql(baseUrl, mutation, { input }, { 'x-api-key': '' })) as {
    error?: string;
  };
  expect(denied.error).toBe('GATEWAY_IDENTITY_REQUIRED');
  const forbidden = await graphql(baseUrl, mutation, { input }, { 'x-api-key': harness.readerKey });
  expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('INSUFFICIENT_PERMISSIONS');

  const invalid = await graphql(
    baseUrl,
    mutation,
    { input: { ...input, source: '' } },
    { 'x-api-key': harness.writerKey },
  );
  expect(invalid.errors?.[0]?.extensions).toMatchObject({
    code: 'VALIDATION_FAILED',
    field_errors: { source: expect.any(String) },
  });

  const accepted = await graphql(baseUrl, mutation, { input }, { 'x-api-key': harness.writerKey });
  expect(accepted.errors).toBeUndefined();
  const payload = accepted.data?.['receiveHook'] as { eventId: string };
  expect(accepted.data?.['receiveHook']).toEqual({
    eventId: expect.any(String),
    status: 'accepted',
    event: {
      id: payload.eventId,
      source: 'gql',
      status: 'RECEIVED',
      history: [{ status: 'RECEIVED' }],
    },
  });
  const outbox = await harness.db.query(
    'SELECT count(*)::int AS n FROM hook_outbox WHERE event_id = $1',
    [payload.eventId],
  );
  expect(outbox.rows[0].n).toBe(1);
});

test('a workflow completion moves the event to processed (once), a failure to failed', async () => {
  const completion = (
    hookEventId: string,
    type: 'WORKFLOW_COMPLETED' | 'WORKFLOW_FAILED',
    id: string,
  ) =>
    createEnvelope<WorkflowEventData>({
      id,
      type:
        type === 'WORKFLOW_COMPLETED' ? EventTypes.workflowCompleted : EventTypes.workflowFailed,
      source: '/workflows',
      data: {
        type,
        workflowId: `wf-${id}`,
        status: type === 'WORKFLOW_COMPLETED' ? 'completed' : 'failed',
        degraded: false,
        hookEventId,
      },
    });
  const topic = harness.runtime.topic(Topics.workflowCompletions);
  const done = completion(
    eventIds[0] as string,
    'WORKFLOW_COMPLETED',
    'c0000000-0000-4000-8000-000000000001',
  );
  // Delivered twice, as at-least-once delivery may do.
  await harness.runtime.bus.publish(topic, [
    { envelope: done, key: 'wf' },
    { envelope: done, key: 'wf' },
    {
      envelope: completion(
        eventIds[1] as string,
        'WORKFLOW_FAILED',
        'c0000000-0000-4000-8000-000000000002',
      ),
      key: 'wf',
    },
  ]);

  const statusOf = async (id: string) =>
    (await harness.db.query('SELECT status FROM hook_events WHERE id = $1', [id])).rows[0]
      ?.status as string;
  await waitUntil(
    async () =>
      (await statusOf(eventIds[0] as string)) === 'processed' &&
      (await statusOf(eventIds[1] as string)) === 'failed',
  );

  const result = await graphql(
    baseUrl,
    `
      query ($id: ID!) {
        hookEvent(id: $id) {
          status
          history {
            status
            detail
          }
        }
      }
    `,
    {
      id: eventIds[0],
    },
  );
  const event = result.data?.['hookEvent'] as {
    status: string;
    history: Array<{ status: string; detail: unknown }>;
  };
  expect(event.status).toBe('PROCESSED');
  expect(event.history.map((change) => change.status)).toEqual([
    'RECEIVED',
    'PUBLISHED',
    'PROCESSED',
  ]);
  expect(event.history[2]?.detail).toMatchObject({
    workflow_id: 'wf-c0000000-0000-4000-8000-000000000001',
  });
});
