// Response bodies are read field by field in assertions; typing each would add nothing.
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Issue 4's engine guarantees on real PostgreSQL and Kafka: parallel branches overlap,
 * retries back off, http tasks send a stable idempotency key, cancellation stops a run
 * between tasks, a stale lease holder's writes are refused, an orphaned run resumes
 * without re-running completed tasks, and a poison event goes to the DLQ while later
 * events flow.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Kafka, logLevel } from 'kafkajs';

import { fromKafkaRecord } from '../../../platform/events/envelope';
import { Topics } from '../../../platform/events/topics';
import { TEST_KAFKA_BROKERS, uniqueName } from '../../support/environment';
import { withoutDeadLetterHeaders } from '../../../subgraphs/workflows/dead-letters';
import { acquireExpiredLease, StaleLeaseError } from '../../../subgraphs/workflows/lease';
import { FencedRunWriter, findTasks, insertRun } from '../../../subgraphs/workflows/run-store';
import { RunWriteBatcher } from '../../../subgraphs/workflows/run-writer';
import { seedDefaultWorkflows } from '../../../subgraphs/workflows/seed';
import { type DeadLetterRecord, type Harness, createHarness, waitFor } from './support/harness';
import { sentimentAnswer } from './support/model-metrics-stand-in';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness({
    leaseMs: 600,
    sweepIntervalMs: 100,
    eventMaxAttempts: 3,
    eventInitialBackoffMs: 50,
  });
});

afterAll(async () => {
  await harness?.close();
});

const completionOf = (workflowId: string) =>
  waitFor(
    () =>
      harness.events.find(
        (event) => event.data.workflowId === workflowId && event.data.type.startsWith('WORKFLOW_'),
      ),
    `completion of ${workflowId}`,
  );

async function execute(definition: unknown, input: unknown = {}): Promise<string> {
  const response = await harness.rest('POST', '/api/v1/workflows/execute', { definition, input });
  expect(response.status).toBe(200);
  return response.body.workflow_id as string;
}

async function status(workflowId: string) {
  return (await harness.rest('GET', `/api/v1/workflows/${workflowId}/status`)).body;
}

it('runs independent branches in parallel, then the join', async () => {
  const workflowId = await execute({
    name: 'fan-out',
    tasks: [
      { id: 'left', type: 'delay', input: { duration_ms: 300 } },
      { id: 'right', type: 'delay', input: { duration_ms: 300 } },
      {
        id: 'join',
        type: 'transform',
        depends_on: ['left', 'right'],
        input: { l: '{{tasks.left.output.waited_ms}}', r: '{{tasks.right.output.waited_ms}}' },
      },
    ],
  });
  const completion = await completionOf(workflowId);
  expect(completion.data.output).toEqual({ join: { l: 300, r: 300 } });

  const tasks = new Map<string, any>(
    (await status(workflowId)).tasks.map((task: any) => [task.task_id, task]),
  );
  const time = (id: string, field: string) => Date.parse(tasks.get(id)[field]);
  // Overlap: each branch started before the other ended.
  expect(time('left', 'started_at')).toBeLessThan(time('right', 'completed_at'));
  expect(time('right', 'started_at')).toBeLessThan(time('left', 'completed_at'));
  expect(time('join', 'started_at')).toBeGreaterThanOrEqual(
    Math.max(time('left', 'completed_at'), time('right', 'completed_at')),
  );
});

it('retries a failing model call with exponential backoff, then succeeds', async () => {
  harness.modelMetrics.respond = (request, index) => {
    const previous = harness.modelMetrics.requests.filter(
      (r) => r.body['workflow_id'] === request.body['workflow_id'],
    );
    return previous.length <= 2
      ? { status: 503, body: { error: 'DEPENDENCY_UNAVAILABLE', message: `busy ${index}` } }
      : sentimentAnswer(request, index);
  };
  try {
    const workflowId = await execute({
      name: 'retrying',
      tasks: [
        {
          id: 'score',
          type: 'model_inference',
          retry: { max_attempts: 4, initial_backoff_ms: 200, max_backoff_ms: 1_000 },
          input: { task_type: 'sentiment', input: 'I love retries' },
        },
      ],
    });
    const completion = await completionOf(workflowId);
    expect(completion.data.status).toBe('completed');

    const calls = harness.modelMetrics.requests.filter((r) => r.body['workflow_id'] === workflowId);
    expect(calls).toHaveLength(3);
    const gaps = [
      calls[1]!.receivedAt - calls[0]!.receivedAt,
      calls[2]!.receivedAt - calls[1]!.receivedAt,
    ];
    // Equal jitter: attempt 2 waits 100-200 ms, attempt 3 waits 200-400 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[0]).toBeLessThan(400);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[1]).toBeLessThan(700);
    const task = (await status(workflowId)).tasks[0];
    expect(task).toMatchObject({ status: 'completed', attempts: 3, error: null });
    const started = harness.events.filter(
      (e) => e.data.workflowId === workflowId && e.data.type === 'TASK_STARTED',
    );
    expect(started.map((event) => event.data.attempt)).toEqual([1, 2, 3]);
  } finally {
    harness.modelMetrics.respond = sentimentAnswer;
  }
});

it('fails a task at once on a 4xx answer and fails the run, skipping what depended on it', async () => {
  harness.modelMetrics.respond = () => ({
    status: 400,
    body: { error: 'UNKNOWN_MODEL', message: 'no model x' },
  });
  try {
    const workflowId = await execute({
      name: 'failing',
      tasks: [
        {
          id: 'score',
          type: 'model_inference',
          input: { task_type: 'sentiment', input: 'x', model: 'x' },
        },
        { id: 'after', type: 'transform', depends_on: ['score'], input: 1 },
      ],
    });
    const completion = await completionOf(workflowId);
    expect(completion.data).toMatchObject({
      type: 'WORKFLOW_FAILED',
      status: 'failed',
      error: 'task score failed: model inference answered 400: UNKNOWN_MODEL: no model x',
    });
    const tasks = (await status(workflowId)).tasks;
    expect(tasks.map((task: any) => [task.task_id, task.status, task.attempts])).toEqual([
      ['score', 'failed', 1],
      ['after', 'skipped', 0],
    ]);
  } finally {
    harness.modelMetrics.respond = sentimentAnswer;
  }
});

it('times out a slow attempt and sends http calls with one idempotency key for every attempt', async () => {
  const received: IncomingHttpHeaders[] = [];
  const api = createServer((req, res) => {
    received.push(req.headers);
    const delayMs = received.length === 1 ? 1_000 : 0;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, n: received.length }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/hook`;
  try {
    const workflowId = await execute(
      {
        name: 'http-call',
        tasks: [
          {
            id: 'call',
            type: 'http',
            timeout_ms: 200,
            retry: { max_attempts: 2, initial_backoff_ms: 10 },
            input: { url, method: 'POST', body: { hello: '{{input.who}}' } },
          },
        ],
      },
      { who: 'world' },
    );
    const completion = await completionOf(workflowId);
    expect(completion.data.output).toEqual({ call: { status: 200, body: { ok: true, n: 2 } } });
    expect(received).toHaveLength(2);
    expect(received[0]!['idempotency-key']).toBe(`${workflowId}:call`);
    expect(received[1]!['idempotency-key']).toBe(`${workflowId}:call`);
  } finally {
    api.closeAllConnections();
    api.close();
  }
});

it('cancels a run between tasks', async () => {
  const workflowId = await execute({
    name: 'cancellable',
    tasks: [
      { id: 'wait', type: 'delay', input: { duration_ms: 400 } },
      { id: 'never', type: 'transform', depends_on: ['wait'], input: 1 },
    ],
  });
  const running = await waitFor(async () => {
    const run = await status(workflowId);
    return run.tasks[0].status === 'running' && run;
  }, 'the delay to start');
  // The run is held under the lock workflow_<id> by this coordinator, with the first token.
  expect(running.lease).toEqual({
    lock_id: `workflow_${workflowId}`,
    owner: expect.any(String),
    expires_at: expect.any(String),
    fencing_token: 1,
  });
  expect(Date.parse(running.lease.expires_at)).toBeGreaterThan(Date.now());
  const cancelled = await harness.graphql(
    `mutation($id: ID!) { cancelWorkflow(id: $id) { id status } }`,
    {
      id: workflowId,
    },
  );
  expect(cancelled.errors).toBeUndefined();

  const completion = await completionOf(workflowId);
  expect(completion.data).toMatchObject({ type: 'WORKFLOW_CANCELLED', status: 'cancelled' });
  expect(completion.type).toBe('dev.omninode.workflow.cancelled');
  const run = await status(workflowId);
  expect(run.status).toBe('cancelled');
  expect(run.lease).toBeNull();
  expect(run.tasks.map((task: any) => [task.task_id, task.status])).toEqual([
    ['wait', 'completed'],
    ['never', 'skipped'],
  ]);
});

describe('leases', () => {
  const definition = {
    name: 'two-steps',
    tasks: [
      { id: 'first', type: 'transform', input: { step: 1 }, dependsOn: [] },
      {
        id: 'second',
        type: 'transform',
        input: '{{tasks.first.output.step}}',
        dependsOn: ['first'],
      },
    ],
  };

  /** A run whose holder is gone; `leaseMs` > 0 keeps the sweeper off it until the test is ready. */
  async function insertOrphan(owner: string, leaseMs = -1): Promise<string> {
    const id = randomUUID();
    await insertRun(harness.db, {
      id,
      definitionName: definition.name,
      definitionVersion: 0,
      definition,
      input: {},
      hookEventId: null,
      triggerEvent: null,
      correlationId: `corr-${id}`,
      leaseOwner: owner,
      leaseMs,
    });
    return id;
  }

  it('refuse the writes of a stale holder once another coordinator took the run', async () => {
    const id = await insertOrphan('paused-coordinator');
    const stale = new FencedRunWriter(harness.db, {
      workflowId: id,
      owner: 'paused-coordinator',
      fencingToken: 1,
    });
    // The live service's sweeper takes the expired lease (token 2) and runs it to the end.
    await completionOf(id);

    const writes = new RunWriteBatcher(harness.db);
    await expect(
      writes.write({
        lease: stale.lease,
        taskId: 'first',
        taskStatus: 'completed',
        outcome: { output: 'overwritten' },
      }),
    ).rejects.toBeInstanceOf(StaleLeaseError);
    await expect(
      writes.write({
        lease: stale.lease,
        finish: { status: 'failed', degraded: false, error: 'stale' },
      }),
    ).rejects.toBeInstanceOf(StaleLeaseError);
    await expect(stale.taskAttemptFailed('first', 'stale')).rejects.toBeInstanceOf(StaleLeaseError);
    const run = await status(id);
    expect(run.status).toBe('completed');
    expect(run.tasks[0].output).toEqual({ step: 1 });
    const token = await harness.db.query('SELECT fencing_token FROM workflows WHERE id = $1', [id]);
    expect(token.rows[0].fencing_token).toBe(2);
  });

  it('refuse a stale holder in a group-committed statement without failing the other writes', async () => {
    const staleId = await insertOrphan('paused-coordinator');
    // Live for the test's length: the sweeper leaves it alone, this test holds token 1.
    const liveId = await insertOrphan('this-test', 3_600_000);
    await completionOf(staleId);
    const batcher = new RunWriteBatcher(harness.db);
    const stale = { workflowId: staleId, owner: 'paused-coordinator', fencingToken: 1 };
    const live = { workflowId: liveId, owner: 'this-test', fencingToken: 1 };
    // Queued together: the first goes at once, the other two share the next statement.
    const writes = [
      batcher.write({
        lease: live,
        taskId: 'first',
        taskStatus: 'running',
        attempt: { number: 1, input: { step: 1 } },
        markRunning: true,
      }),
      batcher.write({
        lease: stale,
        taskId: 'first',
        taskStatus: 'completed',
        outcome: { output: 'overwritten' },
        finish: { status: 'failed', error: 'stale', degraded: false },
      }),
      batcher.write({
        lease: live,
        taskId: 'second',
        taskStatus: 'completed',
        attempt: { number: 1, input: 'x' },
        outcome: { output: 'fenced through' },
      }),
    ];
    const [started, refused, completed] = await Promise.allSettled(writes);
    expect(started).toEqual({ status: 'fulfilled', value: { cancelRequested: false } });
    expect(refused).toMatchObject({ status: 'rejected', reason: expect.any(StaleLeaseError) });
    expect(completed?.status).toBe('fulfilled');

    const staleRun = await status(staleId);
    expect(staleRun.status).toBe('completed');
    expect(staleRun.tasks[0].output).toEqual({ step: 1 });
    const liveRun = await status(liveId);
    expect(liveRun.status).toBe('running');
    expect(liveRun.tasks.map((task: any) => [task.task_id, task.status])).toEqual([
      ['first', 'running'],
      ['second', 'completed'],
    ]);
    // Let the sweeper finish the live run later instead of leaving it behind.
    await harness.db.query(`UPDATE workflows SET lease_expires_at = now() WHERE id = $1`, [liveId]);
  });

  it('refuse a takeover while the lease is live', async () => {
    const id = randomUUID();
    await insertRun(harness.db, {
      id,
      definitionName: 'held',
      definitionVersion: 0,
      definition,
      input: {},
      hookEventId: null,
      triggerEvent: null,
      correlationId: 'c',
      leaseOwner: 'alive',
      leaseMs: 60_000,
    });
    expect(await acquireExpiredLease(harness.db, id, 'intruder', 1_000)).toBeUndefined();
    await harness.db.query(`UPDATE workflows SET status = 'cancelled' WHERE id = $1`, [id]);
  });

  it('resume an orphaned run without re-running its completed task', async () => {
    // Live until the dead holder's writes below are in: the sweeper must not take it first.
    const id = await insertOrphan('dead-coordinator', 3_600_000);
    // The dead holder had finished `first` (with an output only it could have made) and died in `second`.
    const writes = new RunWriteBatcher(harness.db);
    const dead = { workflowId: id, owner: 'dead-coordinator', fencingToken: 1 };
    const started = (taskId: string, input: unknown) =>
      writes.write({ lease: dead, taskId, taskStatus: 'running', attempt: { number: 1, input } });
    await started('first', { step: 1 });
    await writes.write({
      lease: dead,
      taskId: 'first',
      taskStatus: 'completed',
      outcome: { output: { step: 'from the dead holder' } },
    });
    await started('second', 'x');
    await harness.db.query(
      `UPDATE workflows SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );

    const completion = await completionOf(id);
    expect(completion.data.output).toEqual({ second: 'from the dead holder' });
    const tasks = await findTasks(harness.db, [id]);
    expect(tasks.map((task) => [task.taskId, task.status, task.attempts])).toEqual([
      ['first', 'completed', 1],
      ['second', 'completed', 2],
    ]);
    const startedEvents = harness.events.filter(
      (e) => e.data.workflowId === id && e.data.type === 'TASK_STARTED',
    );
    expect(startedEvents.map((event) => event.data.taskId)).toEqual(['second']);
  });
});

describe('dead letters', () => {
  it('take a poison event after its retries while later events keep flowing, and replay', async () => {
    const sourceTopic = harness.runtime.topic(Topics.workflowEvents);
    // What workflow.events carries, to compare the DLQ and the replay with, byte for byte.
    const sourceRecords: DeadLetterRecord[] = [];
    const sourceCollector = await harness.runtime.bus.subscribe({
      groupId: uniqueName('test-source'),
      topics: [sourceTopic],
      fromBeginning: true,
      handle: async ({ key, raw }) => {
        sourceRecords.push({ key, ...raw });
      },
      handleUndecodable: async ({ key, raw }) => {
        sourceRecords.push({ key, ...raw });
      },
    });
    try {
      await deadLetterPoisonAndReplay(sourceTopic, sourceRecords);
    } finally {
      await sourceCollector.stop();
    }
  });
});

async function deadLetterPoisonAndReplay(
  sourceTopic: string,
  sourceRecords: DeadLetterRecord[],
): Promise<void> {
  const kafka = new Kafka({ brokers: [TEST_KAFKA_BROKERS], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    // Not a CloudEvent at all: dead-lettered on the first attempt.
    await producer.send({
      topic: sourceTopic,
      messages: [{ key: 'raw-key', value: 'not json', headers: { origin: 'test' } }],
    });
  } finally {
    await producer.disconnect();
  }
  // A NUL character cannot be stored in jsonb: starting the triggered run fails every time.
  await seedDefaultWorkflows(harness.db);
  const poison = await harness.publishHookEvent({
    source: 'demo',
    action: 'message.created',
    data: { text: 'a\u0000b' },
  });
  const later = await harness.publishHookEvent({ source: 'later', action: 'noop' });

  await waitFor(async () => {
    const rows = await harness.db.query(`SELECT 1 FROM processed_events WHERE event_id = $1`, [
      later.id,
    ]);
    return rows.rowCount === 1;
  }, 'the later event to be processed');
  const letters = await waitFor(
    () => (harness.deadLetters.length >= 2 ? harness.deadLetters : undefined),
    'two dead letters',
  );

  // The undecodable message: its own key, bytes and headers, plus the dlq-* headers.
  const undecodable = letters.find((letter) => letter.key === 'raw-key')!;
  expect(undecodable.value?.toString()).toBe('not json');
  expect(undecodable.headers).toEqual({
    origin: 'test',
    'dlq-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    'dlq-error': expect.stringMatching(/CloudEvents/),
    'dlq-attempts': '1',
    'dlq-original-topic': sourceTopic,
    'dlq-original-partition': expect.stringMatching(/^\d+$/),
    'dlq-original-offset': expect.stringMatching(/^\d+$/),
    'dlq-first-failure-at': expect.any(String),
    'dlq-last-failure-at': expect.any(String),
  });

  // The poison event: the original record unchanged (so still the same CloudEvent).
  const original = await waitFor(
    () => sourceRecords.find((record) => record.headers['ce_id'] === poison.id),
    'the poison event on workflow.events',
  );
  const poisoned = letters.find((letter) => letter.headers['ce_id'] === poison.id)!;
  expect(poisoned.key).toBe(original.key);
  expect(poisoned.value?.equals(original.value!)).toBe(true);
  expect(withoutDeadLetterHeaders(poisoned.headers)).toEqual(original.headers);
  expect(fromKafkaRecord(poisoned.headers, poisoned.value)).toEqual(poison);
  expect(poisoned.headers).toMatchObject({
    'dlq-attempts': '3',
    'dlq-original-topic': sourceTopic,
    'dlq-error': expect.stringMatching(/unicode|\\u0000/i),
  });
  const stored = await harness.db.query(
    `SELECT partition, "offset" FROM workflow_dead_letters WHERE event_id = $1`,
    [poison.id],
  );
  expect(poisoned.headers['dlq-original-partition']).toBe(String(stored.rows[0].partition));
  expect(poisoned.headers['dlq-original-offset']).toBe(stored.rows[0].offset);
  const firstFailureMs = Date.parse(poisoned.headers['dlq-first-failure-at']!);
  const lastFailureMs = Date.parse(poisoned.headers['dlq-last-failure-at']!);
  // Two backoffs of at least 25 ms (50 ms halved by jitter) lie between them.
  expect(lastFailureMs - firstFailureMs).toBeGreaterThanOrEqual(50);

  const listed = await harness.graphql(`{ workflowDeadLetters { eventId attempts } }`);
  expect(listed.data.workflowDeadLetters).toEqual(
    expect.arrayContaining([
      { eventId: poison.id, attempts: 3 },
      { eventId: null, attempts: 1 },
    ]),
  );
  const replay = await harness.graphql(`mutation { replayDeadLetters { replayed } }`);
  expect(replay.data.replayDeadLetters.replayed).toBe(1);

  // The replay is the original record again, without any dlq-* header...
  const copies = await waitFor(() => {
    const found = sourceRecords.filter((record) => record.headers['ce_id'] === poison.id);
    return found.length === 2 ? found : undefined;
  }, 'the replayed poison event on workflow.events');
  expect(copies[1]).toEqual(original);
  // ...which fails again and comes back to the DLQ from its new offset, same event id.
  const again = await waitFor(() => {
    const found = harness.deadLetters.filter((letter) => letter.headers['ce_id'] === poison.id);
    return found.length === 2 ? found[1] : undefined;
  }, 'the replayed event to be dead-lettered again');
  expect(again.headers['dlq-original-offset']).not.toBe(poisoned.headers['dlq-original-offset']);
  expect(again.value?.equals(original.value!)).toBe(true);
}
