/**
 * The foundation's vertical flow, black-box through the gateway only, so the same checks
 * run against the real servers and against `npm start`'s embedded default:
 * webhook -> hook_events -> workflow.events -> trigger -> model-inference task ->
 * workflow.tasks / workflow.completions -> graphql-ws subscriber.
 */
import { randomUUID } from 'node:crypto';

import type { Client } from 'graphql-ws';

import { collect, sseUntil, wsClient } from '../support/graphql-clients';

interface WorkflowEvent {
  id: string;
  type: string;
  workflowId: string;
  taskId: string | null;
  status: string;
  correlationId: string;
  workflow: {
    id: string;
    status: string;
    hookEvent: { id: string; source: string; action: string; status: string } | null;
    tasks: Array<{
      id: string;
      status: string;
      output: unknown;
      invocation: { id: string; model: { name: string } } | null;
    }>;
  } | null;
}

const EVENT_FIELDS = `
  id type workflowId taskId status correlationId
  workflow {
    id status
    hookEvent { id source action status }
    tasks { id status output invocation { id model { name } } }
  }`;

export class GatewayCaller {
  constructor(
    readonly gatewayUrl: string,
    readonly apiKey: string,
  ) {}

  /** `apiKey: null` sends no credentials. */
  post(
    path: string,
    body: string,
    contentType = 'application/json',
    apiKey: string | null = this.apiKey,
  ): Promise<Response> {
    return fetch(`${this.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(apiKey ? { 'x-api-key': apiKey } : {}) },
      body,
    });
  }

  async graphql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{
    data?: T;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  }> {
    const response = await this.post('/graphql', JSON.stringify({ query, variables }));
    return (await response.json()) as { data?: T };
  }

  ws(): Client {
    return wsClient(this.gatewayUrl, this.apiKey);
  }
}

export const demoWebhook = (text: string) => ({
  source: 'demo',
  action: 'message.created',
  resource: 'message',
  resource_id: `m-${randomUUID()}`,
  data: { text },
});

/** Webhook in, completion out on a graphql-ws subscription, with data from all three subgraphs. */
export async function webhookReachesSubscriber(caller: GatewayCaller): Promise<void> {
  const client = caller.ws();
  const completions = collect<WorkflowEvent>(
    client,
    `subscription { workflowCompletions { ${EVENT_FIELDS} } }`,
  );
  try {
    // The subscription is registered once the server acknowledges it: wait for that by a round trip.
    await waitForSubscriptionRegistered(client);
    const response = await caller.post(
      '/api/v1/hooks/receive',
      JSON.stringify(demoWebhook('I love this product, it is wonderful')),
    );
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as { event_id: string; status: string };
    expect(accepted).toEqual({ event_id: expect.any(String), status: 'accepted' });

    const events = await completions.until(
      (event) => event.workflow?.hookEvent?.id === accepted.event_id,
      60_000,
    );
    const completion = events[events.length - 1] as WorkflowEvent;

    expect(completion.type).toBe('WORKFLOW_COMPLETED');
    expect(completion.workflow?.status).toBe('COMPLETED');
    expect(completion.workflow?.hookEvent).toMatchObject({
      source: 'demo',
      action: 'message.created',
    });
    const task = completion.workflow?.tasks[0];
    expect(task).toMatchObject({ id: 'sentiment', status: 'COMPLETED' });
    expect(JSON.stringify(task?.output)).toMatch(/positive/);
    // Resolved by the model-metrics subgraph through the ModelInvocation entity.
    expect(task?.invocation?.model.name).toEqual(expect.any(String));

    // The hook event was stored with its audit trail.
    const stored = await caller.graphql<{
      hookEvent: { id: string; history: Array<{ status: string }> };
    }>('query($id: ID!) { hookEvent(id: $id) { id history { status } } }', {
      id: accepted.event_id,
    });
    expect(stored.data?.hookEvent.history.map((change) => change.status)).toEqual(
      expect.arrayContaining(['RECEIVED', 'PUBLISHED']),
    );
  } finally {
    await completions.close();
    await client.dispose();
  }
}

/**
 * An integrator learns the hook event id only from the 202, so it can only subscribe
 * after the run may have started, or finished: a workflowEvents(hookEventId) subscriber
 * still gets every event of the runs it started, from their stored history.
 */
export async function hookEventSubscriberGetsTheWholeRun(caller: GatewayCaller): Promise<void> {
  const response = await caller.post(
    '/api/v1/hooks/receive',
    JSON.stringify(demoWebhook('Subscribed late, and still everything arrives')),
  );
  expect(response.status).toBe(202);
  const { event_id: hookEventId } = (await response.json()) as { event_id: string };
  // Let the run finish before subscribing: the worst case for a live-only stream.
  const finished = await waitForRunOf(caller, hookEventId);

  const client = caller.ws();
  const stream = collect<{ id: string; type: string; workflowId: string }>(
    client,
    'subscription($hook: ID!) { workflowEvents(hookEventId: $hook) { id type workflowId } }',
    { hook: hookEventId },
  );
  try {
    const events = await stream.until((event) => event.type === 'WORKFLOW_COMPLETED', 30_000);
    expect(events.map((event) => event.type)).toEqual([
      'TASK_STARTED',
      'TASK_COMPLETED',
      'WORKFLOW_COMPLETED',
    ]);
    expect(events.every((event) => event.workflowId === finished)).toBe(true);
  } finally {
    await stream.close();
    await client.dispose();
  }
}

/** Polls until the run a hook event started has finished; answers its id. */
async function waitForRunOf(caller: GatewayCaller, hookEventId: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const result = await caller.graphql<{ workflows: Array<{ id: string; status: string }> }>(
      'query($hook: ID!) { workflows(filter: { hookEventId: $hook }) { id status } }',
      { hook: hookEventId },
    );
    const run = result.data?.workflows[0];
    if (run?.status === 'COMPLETED') return run.id;
    if (Date.now() > deadline) throw new Error(`no finished run for ${hookEventId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** executeWorkflow with a chosen id: subscribe first, then start, then read it back. */
export async function executedWorkflowStreamsItsEvents(caller: GatewayCaller): Promise<void> {
  const workflowId = randomUUID();
  const client = caller.ws();
  const stream = collect<WorkflowEvent>(
    client,
    `subscription($id: ID!) { workflowEvents(workflowId: $id) { ${EVENT_FIELDS} } }`,
    { id: workflowId },
  );
  try {
    await waitForSubscriptionRegistered(client);
    const started = await caller.graphql<{
      executeWorkflow: { workflowId: string; status: string };
    }>(
      `mutation($input: ExecuteWorkflowInput!) { executeWorkflow(input: $input) { workflowId status } }`,
      {
        input: {
          workflowId,
          definition: {
            name: 'e2e-sentiment',
            tasks: [
              {
                id: 'score',
                type: 'model_inference',
                input: { task_type: 'sentiment', input: '{{input.text}}' },
              },
            ],
          },
          input: { text: 'This is terrible and broken' },
        },
      },
    );
    expect(started.errors).toBeUndefined();
    expect(started.data?.executeWorkflow).toEqual({ workflowId, status: 'started' });

    const events = await stream.until((event) => event.type === 'WORKFLOW_COMPLETED', 60_000);
    expect(events.map((event) => event.type)).toEqual([
      'TASK_STARTED',
      'TASK_COMPLETED',
      'WORKFLOW_COMPLETED',
    ]);
    expect(new Set(events.map((event) => event.correlationId)).size).toBe(1);
    expect(events.every((event) => event.workflowId === workflowId)).toBe(true);

    const readBack = await caller.graphql<{ workflow: WorkflowEvent['workflow'] }>(
      'query($id: ID!) { workflow(id: $id) { id status hookEvent { id } tasks { id status output invocation { id model { name } } } } }',
      { id: workflowId },
    );
    expect(readBack.data?.workflow).toMatchObject({
      id: workflowId,
      status: 'COMPLETED',
      hookEvent: null,
    });
    expect(JSON.stringify(readBack.data?.workflow?.tasks[0]?.output)).toMatch(/negative/);
  } finally {
    await stream.close();
    await client.dispose();
  }
}

/**
 * A subscriber that loses its connection mid-run and subscribes again with the last event
 * id it received gets exactly the events it missed; one that subscribes after the run
 * finished gets the whole history. Both match Workflow.events.
 */
export async function resubscribingResumesAfterTheLastEvent(caller: GatewayCaller): Promise<void> {
  const workflowId = randomUUID();
  const SUBSCRIBE = `subscription($id: ID!, $after: ID) {
    workflowEvents(workflowId: $id, after: $after) { id type taskId }
  }`;
  type Event = { id: string; type: string; taskId: string | null };
  const first = caller.ws();
  const beforeDrop = collect<Event>(first, SUBSCRIBE, { id: workflowId });
  let second: Client | undefined;
  try {
    await waitForSubscriptionRegistered(first);
    const started = await caller.graphql(
      `mutation($input: ExecuteWorkflowInput!) { executeWorkflow(input: $input) { workflowId } }`,
      {
        input: {
          workflowId,
          definition: {
            name: 'e2e-resume',
            tasks: [
              { id: 'first', type: 'transform', input: { step: 1 } },
              {
                id: 'pause',
                type: 'delay',
                dependsOn: ['first'],
                input: { duration_ms: 1_500 },
              },
              { id: 'last', type: 'transform', dependsOn: ['pause'], input: { step: 3 } },
            ],
          },
        },
      },
    );
    expect(started.errors).toBeUndefined();
    // The connection drops while the delay runs.
    const received = await beforeDrop.until(
      (event) => event.type === 'TASK_STARTED' && event.taskId === 'pause',
      60_000,
    );
    await beforeDrop.close();
    await first.dispose();

    second = caller.ws();
    const resumed = await collect<Event>(second, SUBSCRIBE, {
      id: workflowId,
      after: received.at(-1)?.id,
    }).until((event) => event.type === 'WORKFLOW_COMPLETED', 60_000);

    const history = await caller.graphql<{ workflow: { events: Event[] } }>(
      'query($id: ID!) { workflow(id: $id) { events { id type taskId } } }',
      { id: workflowId },
    );
    const stored = history.data?.workflow.events ?? [];
    expect(stored.map((event) => `${event.type}:${event.taskId ?? ''}`)).toEqual([
      'TASK_STARTED:first',
      'TASK_COMPLETED:first',
      'TASK_STARTED:pause',
      'TASK_COMPLETED:pause',
      'TASK_STARTED:last',
      'TASK_COMPLETED:last',
      'WORKFLOW_COMPLETED:',
    ]);
    // Nothing missed, nothing twice.
    expect([...received, ...resumed].map((event) => event.id)).toEqual(
      stored.map((event) => event.id),
    );

    // After the run finished, a new subscriber gets the whole history and the stream ends.
    const late = await collect<Event>(second, SUBSCRIBE, { id: workflowId }).until(
      (event) => event.type === 'WORKFLOW_COMPLETED',
      30_000,
    );
    expect(late.map((event) => event.id)).toEqual(stored.map((event) => event.id));
  } finally {
    await beforeDrop.close();
    await first.dispose();
    await second?.dispose();
  }
}

/** POST /api/v1/workflows/execute answers 200 started; SSE delivers the run's completion. */
export async function restExecuteWithSseSubscription(caller: GatewayCaller): Promise<void> {
  const workflowId = randomUUID();
  const sse = await fetch(`${caller.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'x-api-key': caller.apiKey,
    },
    body: JSON.stringify({
      query:
        'subscription($id: ID!) { workflowEvents(workflowId: $id) { type workflowId workflow { status } } }',
      variables: { id: workflowId },
    }),
  });
  expect(sse.status).toBe(200);
  expect(sse.headers.get('content-type')).toMatch(/text\/event-stream/);

  const response = await caller.post(
    '/api/v1/workflows/execute',
    JSON.stringify({
      workflow_id: workflowId,
      definition: {
        name: 'e2e-rest',
        tasks: [
          {
            id: 'score',
            type: 'model_inference',
            input: { task_type: 'sentiment', input: 'good' },
          },
        ],
      },
    }),
  );
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ workflow_id: workflowId, status: 'started' });

  const events = await sseUntil<{ type: string; workflow: { status: string } }>(
    sse,
    (event) => event.type === 'WORKFLOW_COMPLETED',
    60_000,
  );
  expect(events[events.length - 1]?.workflow.status).toBe('COMPLETED');
}

/** Bad webhooks get a clear 4xx through the gateway and store nothing. */
export async function badWebhooksStoreNothing(caller: GatewayCaller): Promise<void> {
  const count = async () => {
    const result = await caller.graphql<{ hookEvents: { edges: unknown[] } }>(
      '{ hookEvents(first: 100) { edges { cursor } } }',
    );
    return result.data?.hookEvents.edges.length ?? -1;
  };
  const before = await count();

  const malformed = await caller.post('/api/v1/hooks/receive', '{"source": "demo",');
  expect(malformed.status).toBe(400);
  expect(await malformed.json()).toMatchObject({
    error: expect.any(String),
    message: expect.any(String),
    request_id: expect.any(String),
    timestamp: expect.any(String),
  });

  const missing = await caller.post('/api/v1/hooks/receive', JSON.stringify({ source: 'demo' }));
  expect(missing.status).toBe(400);
  const missingBody = (await missing.json()) as { field_errors?: Record<string, string> };
  expect(Object.keys(missingBody.field_errors ?? {})).toEqual(
    expect.arrayContaining(['action', 'resource', 'resource_id']),
  );

  const wrongType = await caller.post(
    '/api/v1/hooks/receive',
    'source=demo',
    'application/x-www-form-urlencoded',
  );
  expect(wrongType.status).toBe(415);

  const noKey = await caller.post(
    '/api/v1/hooks/receive',
    JSON.stringify(demoWebhook('x')),
    'application/json',
    null,
  );
  expect(noKey.status).toBe(401);

  const noKeyGraphql = await caller.post(
    '/graphql',
    JSON.stringify({ query: '{ __typename }' }),
    'application/json',
    null,
  );
  expect(noKeyGraphql.status).toBe(401);

  expect(await count()).toBe(before);
}

/**
 * graphql-ws acknowledges a subscribe without a reply; a ping-pong round trip on the
 * same connection after it guarantees the server processed the subscribe first.
 */
async function waitForSubscriptionRegistered(client: Client): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    client.subscribe(
      { query: '{ __typename }' },
      { next: () => undefined, error: reject, complete: resolve },
    );
  });
}
