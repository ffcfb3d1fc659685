/**
 * The slice the end-to-end flow needs, on real PostgreSQL and Kafka: a hook event starts
 * its triggered workflow once, the model_inference task calls model-metrics, and task and
 * completion events reach the topics with the triggering event's correlation id; runs
 * started through REST and GraphQL; and definitions rejected with their exact problem.
 */
import { randomUUID } from 'node:crypto';

import { ApiKeyStore } from '../../../platform/auth/api-keys';
import { seedDefaultWorkflows } from '../../../subgraphs/workflows/seed';
import { type Harness, createHarness, waitFor } from './support/harness';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
  await seedDefaultWorkflows(harness.db);
});

afterAll(async () => {
  await harness?.close();
});

const eventsOf = (workflowId: string) =>
  harness.events.filter((event) => event.data.workflowId === workflowId);

const completionOf = (workflowId: string) =>
  waitFor(
    () => eventsOf(workflowId).find((event) => event.data.type.startsWith('WORKFLOW_')),
    `completion of ${workflowId}`,
  );

async function runOfHookEvent(hookEventId: string): Promise<string> {
  const result = await waitFor(async () => {
    const rows = await harness.db.query<{ id: string }>(
      'SELECT id FROM workflows WHERE hook_event_id = $1',
      [hookEventId],
    );
    return rows.rows[0]?.id;
  }, 'the triggered run');
  return result;
}

describe('hook events', () => {
  it('start the triggered workflow, whose events carry the hook event correlation id', async () => {
    const correlationId = `corr-${randomUUID()}`;
    const hookEvent = await harness.publishHookEvent(
      { data: { text: 'I love this product' } },
      { correlationid: correlationId },
    );

    const workflowId = await runOfHookEvent(hookEvent.id);
    const completion = await completionOf(workflowId);

    expect(completion.type).toBe('dev.omninode.workflow.completed');
    expect(completion.correlationid).toBe(correlationId);
    expect(completion.data).toMatchObject({
      type: 'WORKFLOW_COMPLETED',
      status: 'completed',
      hookEventId: hookEvent.id,
      output: { sentiment: { result: { label: 'positive' }, model: 'stand-in-sentiment' } },
    });
    // Task events and the completion travel on two topics: each is ordered, but a consumer
    // of both may see the completion first. Wait for all three, then check each topic's order.
    for (let waited = 0; eventsOf(workflowId).length < 3 && waited < 10_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const kinds = eventsOf(workflowId).map(
      (event) => `${event.data.type}:${event.data.taskId ?? ''}`,
    );
    expect(kinds.filter((kind) => kind.startsWith('TASK_'))).toEqual([
      'TASK_STARTED:sentiment',
      'TASK_COMPLETED:sentiment',
    ]);
    expect(kinds.filter((kind) => kind.startsWith('WORKFLOW_'))).toEqual(['WORKFLOW_COMPLETED:']);
    for (const event of eventsOf(workflowId)) {
      expect(event.correlationid).toBe(correlationId);
      expect(event.data.hookEventId).toBe(hookEvent.id);
    }

    const call = harness.modelMetrics.requests.find(
      (request) => request.body['workflow_id'] === workflowId,
    );
    expect(call?.body).toEqual({
      task_type: 'sentiment',
      input: 'I love this product',
      workflow_id: workflowId,
      task_id: 'sentiment',
    });
    expect(call?.headers['x-api-key']).toBe(harness.runtime.serviceApiKey);
  });

  it('redelivered starts no second run', async () => {
    const hookEvent = await harness.publishHookEvent({ data: { text: 'once' } });
    const workflowId = await runOfHookEvent(hookEvent.id);
    await completionOf(workflowId);

    // The same CloudEvent again, as Kafka redelivers after a crash before the commit.
    await harness.publishHookEvent({ data: { text: 'once' } }, { id: hookEvent.id });
    const marker = await harness.publishHookEvent({ source: 'nobody-listens' });
    await waitFor(async () => {
      const rows = await harness.db.query(`SELECT 1 FROM processed_events WHERE event_id = $1`, [
        marker.id,
      ]);
      return rows.rowCount === 1;
    }, 'the marker event to be processed');

    const runs = await harness.db.query('SELECT id FROM workflows WHERE hook_event_id = $1', [
      hookEvent.id,
    ]);
    expect(runs.rows.map((row: { id: string }) => row.id)).toEqual([workflowId]);
    const calls = harness.modelMetrics.requests.filter(
      (request) => request.body['workflow_id'] === workflowId,
    );
    expect(calls).toHaveLength(1);
  });

  it('without a trigger are recorded as processed with no run', async () => {
    const hookEvent = await harness.publishHookEvent({ source: 'github', action: 'push' });
    const outcome = await waitFor(async () => {
      const rows = await harness.db.query<{ outcome: string }>(
        `SELECT outcome FROM processed_events WHERE consumer = 'workflow-coordinators' AND event_id = $1`,
        [hookEvent.id],
      );
      return rows.rows[0]?.outcome;
    }, 'processing of the untriggered event');
    expect(outcome).toBe('no trigger');
    const runs = await harness.db.query('SELECT 1 FROM workflows WHERE hook_event_id = $1', [
      hookEvent.id,
    ]);
    expect(runs.rowCount).toBe(0);
  });
});

describe('POST /api/v1/workflows/execute', () => {
  it('answers started before the run executes, and a stored definition runs as triggered', async () => {
    const slow = {
      name: 'slow',
      tasks: [{ id: 'wait', type: 'delay', input: { duration_ms: 400 } }],
    };
    const startedAt = Date.now();
    const response = await harness.rest(
      'POST',
      '/api/v1/workflows/execute',
      { definition: slow },
      { 'x-request-id': 'req-execute-1' },
    );
    expect(Date.now() - startedAt).toBeLessThan(400);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ workflow_id: expect.any(String), status: 'started' });
    const completion = await completionOf(response.body.workflow_id);
    expect(completion.correlationid).toBe('req-execute-1');
    expect(completion.data.status).toBe('completed');

    // analyze-sentiment reads {{event.data.text}}: run without a hook event, that has no value.
    const stored = await harness.rest('POST', '/api/v1/workflows/execute', {
      definition_name: 'analyze-sentiment',
    });
    const failed = await completionOf(stored.body.workflow_id);
    expect(failed.data.status).toBe('failed');
    expect(failed.data.error).toMatch(/template \{\{event\.data\.text\}\} has no value/);
  });

  it('runs an inline DAG and reports every task through the status route', async () => {
    const response = await harness.rest('POST', '/api/v1/workflows/execute', {
      definition: {
        name: 'inline-rest',
        tasks: [
          { id: 'shape', type: 'transform', input: { text: '{{input.message}}', n: 2 } },
          {
            id: 'score',
            type: 'model_inference',
            depends_on: ['shape'],
            input: { task_type: 'sentiment', input: '{{tasks.shape.output.text}}' },
          },
        ],
      },
      input: { message: 'I love it' },
    });
    expect(response.status).toBe(200);
    const workflowId = response.body.workflow_id as string;
    await completionOf(workflowId);

    const status = await harness.rest('GET', `/api/v1/workflows/${workflowId}/status`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      workflow_id: workflowId,
      status: 'completed',
      definition_name: 'inline-rest',
      definition_version: 0,
      tasks: [
        { task_id: 'shape', status: 'completed', attempts: 1, output: { text: 'I love it', n: 2 } },
        {
          task_id: 'score',
          status: 'completed',
          attempts: 1,
          input: { task_type: 'sentiment', input: 'I love it' },
          invocation_id: expect.any(String),
        },
      ],
    });
    expect(status.body.tasks[1].started_at).toEqual(expect.any(String));
    // The harness key holds admin:read, so it sees the lease (none: the run finished)...
    expect(status.body.lease).toBeNull();
    // ...a key with workflows:read alone does not see which coordinator runs what.
    const { key: reader } = await new ApiKeyStore(harness.db).create({
      name: 'reader',
      permissions: ['workflows:read'],
    });
    const asReader = await harness.rest(
      'GET',
      `/api/v1/workflows/${workflowId}/status`,
      undefined,
      {
        'x-api-key': reader,
      },
    );
    expect(asReader.status).toBe(200);
    expect(asReader.body.status).toBe('completed');
    expect(asReader.body).not.toHaveProperty('lease');
  });

  it('needs an API key with workflows:execute', async () => {
    const anonymous = await harness.rest(
      'POST',
      '/api/v1/workflows/execute',
      {},
      { 'x-api-key': '' },
    );
    expect(anonymous.status).toBe(401);
    const unknownRun = await harness.rest('GET', `/api/v1/workflows/${randomUUID()}/status`);
    expect(unknownRun.status).toBe(404);
    const unknownEvents = await harness.rest('GET', `/api/v1/workflows/${randomUUID()}/events`);
    expect(unknownEvents.status).toBe(404);
    const badId = await harness.rest('GET', '/api/v1/workflows/not-a-uuid/events');
    expect(badId.status).toBe(400);
    expect(badId.body.field_errors).toEqual(expect.any(Object));
  });
});

describe('executeWorkflow mutation', () => {
  const EXECUTE = `mutation Execute($input: ExecuteWorkflowInput!) {
    executeWorkflow(input: $input) { workflowId status workflow { id definitionName } }
  }`;
  const READ = `query Read($id: ID!) {
    workflow(id: $id) {
      id status correlationId definitionName hookEvent { id } lease { lockId fencingToken }
      tasks { id type status attempts output error startedAt completedAt invocation { id } }
    }
  }`;

  it('starts a run under a client-chosen id, returns the same run when repeated, and reads it back', async () => {
    const workflowId = randomUUID();
    const input = {
      workflowId,
      definition: {
        name: 'inline-graphql',
        tasks: [
          {
            id: 'score',
            type: 'model_inference',
            input: { taskType: 'sentiment', input: '{{input.text}}' },
          },
        ],
      },
      input: { text: 'I love GraphQL' },
    };
    const first = await harness.graphql(EXECUTE, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data.executeWorkflow).toEqual({
      workflowId,
      status: 'started',
      workflow: { id: workflowId, definitionName: 'inline-graphql' },
    });
    const again = await harness.graphql(EXECUTE, { input });
    expect(again.data.executeWorkflow.workflowId).toBe(workflowId);

    await completionOf(workflowId);
    const read = await harness.graphql(READ, { id: workflowId });
    expect(read.data.workflow).toMatchObject({
      id: workflowId,
      status: 'COMPLETED',
      hookEvent: null,
      // A finished run holds no lease.
      lease: null,
      tasks: [
        { id: 'score', status: 'COMPLETED', attempts: 1, invocation: { id: expect.any(String) } },
      ],
    });
    const runs = await harness.db.query('SELECT 1 FROM workflows WHERE id = $1', [workflowId]);
    expect(runs.rowCount).toBe(1);
    expect(
      harness.modelMetrics.requests.filter((r) => r.body['workflow_id'] === workflowId),
    ).toHaveLength(1);
  });

  it('resolves a triggered run as an entity with its hook event reference', async () => {
    const hookEvent = await harness.publishHookEvent({ data: { text: 'entity check' } });
    const workflowId = await runOfHookEvent(hookEvent.id);
    await completionOf(workflowId);
    const result = await harness.graphql(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Workflow { id status hookEvent { id } } }
      }`,
      { representations: [{ __typename: 'Workflow', id: workflowId }] },
    );
    expect(result.data._entities).toEqual([
      { id: workflowId, status: 'COMPLETED', hookEvent: { id: hookEvent.id } },
    ]);
    const listed = await harness.graphql(
      `query($id: ID) { workflows(filter: { hookEventId: $id }) { id } }`,
      {
        id: hookEvent.id,
      },
    );
    expect(listed.data.workflows).toEqual([{ id: workflowId }]);
  });
});

describe('invalid definitions', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    [
      'unknown dependency',
      { name: 'bad', tasks: [{ id: 'a', type: 'transform', depends_on: ['ghost'] }] },
      /task a: depends on unknown task "ghost"/,
    ],
    [
      'cycle',
      {
        name: 'bad',
        tasks: [
          { id: 'a', type: 'transform', depends_on: ['c'] },
          { id: 'b', type: 'transform', depends_on: ['a'] },
          { id: 'c', type: 'transform', depends_on: ['b'] },
        ],
      },
      /dependency cycle: a -> b -> c -> a/,
    ],
    [
      'unknown type',
      { name: 'bad', tasks: [{ id: 'a', type: 'teleport' }] },
      /task a: unknown type "teleport"/,
    ],
    [
      'bad template',
      { name: 'bad', tasks: [{ id: 'a', type: 'transform', input: { x: '{{secrets.key}}' } }] },
      /task a: bad template \{\{secrets\.key\}\} at input\.x/,
    ],
    [
      'template on a task that is not a dependency',
      {
        name: 'bad',
        tasks: [
          { id: 'a', type: 'transform', input: 1 },
          { id: 'b', type: 'transform', input: '{{tasks.a.output}}' },
        ],
      },
      /task b: bad template \{\{tasks\.a\.output\}\} at input: task "a" is not among its dependencies/,
    ],
  ];

  it.each(cases)(
    '%s gets 400 with its problem over REST and stores nothing',
    async (_name, definition, message) => {
      const before = await harness.db.query('SELECT count(*)::int AS n FROM workflows');
      const response = await harness.rest('POST', '/api/v1/workflows/execute', { definition });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('INVALID_WORKFLOW_DEFINITION');
      expect(response.body.message).toMatch(message);
      const saved = await harness.rest('POST', '/api/v1/workflows/definitions', definition);
      expect(saved.status).toBe(400);
      expect(saved.body.message).toMatch(message);
      const after = await harness.db.query('SELECT count(*)::int AS n FROM workflows');
      expect(after.rows[0]).toEqual(before.rows[0]);
    },
  );

  it('is reported by the mutation as INVALID_WORKFLOW_DEFINITION', async () => {
    const result = await harness.graphql(
      `mutation { saveWorkflowDefinition(input: { name: "bad", tasks: [{ id: "a", type: "transform", dependsOn: ["a"] }] }) { version } }`,
    );
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/dependency cycle: a -> a/),
      extensions: { code: 'INVALID_WORKFLOW_DEFINITION' },
    });
  });
});

describe('definitions and triggers', () => {
  it('are versioned and a new trigger starts the latest version', async () => {
    const definition = {
      name: 'echo',
      tasks: [{ id: 'copy', type: 'transform', input: { v: 1 } }],
    };
    const v1 = await harness.rest('POST', '/api/v1/workflows/definitions', definition);
    const v2 = await harness.graphql(
      `mutation($input: WorkflowDefinitionInput!) { saveWorkflowDefinition(input: $input) { name version } }`,
      {
        input: {
          name: 'echo',
          tasks: [{ id: 'copy', type: 'transform', input: { v: '{{event.data.n}}' } }],
        },
      },
    );
    expect(v1.status).toBe(201);
    expect(v1.body.version).toBe(1);
    expect(v2.data.saveWorkflowDefinition).toEqual({ name: 'echo', version: 2 });

    const trigger = await harness.graphql(
      `mutation { createWorkflowTrigger(input: { source: "ci", action: "build.done", definitionName: "echo" }) { id definitionName } }`,
    );
    expect(trigger.data.createWorkflowTrigger.definitionName).toBe('echo');
    const missing = await harness.rest('POST', '/api/v1/workflows/triggers', {
      source: 'ci',
      action: 'x',
      definition_name: 'nope',
    });
    expect(missing.status).toBe(404);

    const hookEvent = await harness.publishHookEvent({
      source: 'ci',
      action: 'build.done',
      data: { n: 7 },
    });
    const workflowId = await runOfHookEvent(hookEvent.id);
    const completion = await completionOf(workflowId);
    expect(completion.data.output).toEqual({ copy: { v: 7 } });
  });
});
