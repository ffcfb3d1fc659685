/**
 * Kafka down while a workflow runs: the run still completes (its state is PostgreSQL's),
 * its task and completion events wait unpublished in workflow_run_events, and once the
 * broker is back the outbox sweeper publishes each of them exactly once. Events published
 * right after their commit are marked published at once; all stay as the run's history.
 *
 * Kafka is this file's own broker (tests/support/private-broker.ts): stopping it leaves
 * the broker the other suites share alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { metricValue } from '../../support/metrics';
import { type PrivateBroker, startPrivateBroker } from '../../support/private-broker';
import { type Harness, createHarness, waitFor } from './support/harness';

jest.setTimeout(180_000);

let broker: PrivateBroker;
let harness: Harness;

beforeAll(async () => {
  broker = await startPrivateBroker('workflows');
  harness = await createHarness(
    { outboxSweepIntervalMs: 200, outboxGraceMs: 1_000 },
    { KAFKA_BROKERS: broker.brokers },
  );
});

afterAll(async () => {
  await harness?.close();
  await broker?.remove();
});

const JOIN = {
  name: 'outbox-join',
  tasks: [
    { id: 'left', type: 'transform', input: { side: 'left' } },
    { id: 'right', type: 'transform', input: { side: 'right' } },
    {
      id: 'join',
      type: 'transform',
      depends_on: ['left', 'right'],
      input: { left: '{{tasks.left.output}}', right: '{{tasks.right.output}}' },
    },
  ],
};

async function execute(): Promise<string> {
  const response = await harness.rest('POST', '/api/v1/workflows/execute', { definition: JOIN });
  expect(response.status).toBe(200);
  return response.body.workflow_id as string;
}

/** The run's stored events, oldest first; `unpublished` keeps those still in the outbox. */
const storedEvents = async (workflowId: string, which: 'all' | 'unpublished' = 'all') =>
  (
    await harness.db.query<{ event_id: string; topic: string; type: string }>(
      `SELECT event_id, topic, envelope -> 'data' ->> 'type' AS type
       FROM workflow_run_events
       WHERE workflow_id = $1 AND ($2 = 'all' OR published_at IS NULL) ORDER BY seq`,
      [workflowId, which],
    )
  ).rows;

const delivered = (workflowId: string) =>
  harness.events.filter((event) => event.data.workflowId === workflowId);

const metric = (name: string, labels: Record<string, string> = {}) =>
  metricValue(harness.service.url, name, labels);

it('publishes events right after their commit and marks them published', async () => {
  const id = await execute();
  await waitFor(
    () => delivered(id).some((event) => event.data.type === 'WORKFLOW_COMPLETED'),
    'the completion',
  );
  await waitFor(
    async () => (await storedEvents(id, 'unpublished')).length === 0,
    'the events to be marked published',
  );
  expect(delivered(id)).toHaveLength(7);
  // Kept as the run's history: the same events (arrival order spans two topics).
  expect((await storedEvents(id)).map((row) => row.event_id).sort()).toEqual(
    delivered(id)
      .map((event) => event.id)
      .sort(),
  );
  expect(await metric('workflow_events_published_late_total')).toBe(0);
});

it('keeps the events of a run that completed while Kafka was down and publishes them once it is back', async () => {
  const lateBefore = await metric('workflow_events_published_late_total');
  await broker.stop();
  const id = await execute();
  await waitFor(
    async () =>
      (await harness.rest('GET', `/api/v1/workflows/${id}/status`)).body.status === 'completed',
    'the run to complete without Kafka',
  );

  // Every step's event is stored, in the order the engine made them, completion last.
  const stored = await storedEvents(id, 'unpublished');
  expect(stored).toHaveLength(7);
  expect(stored.at(-1)).toMatchObject({ topic: 'completions', type: 'WORKFLOW_COMPLETED' });
  expect(stored.slice(-3, -1).map((row) => row.type)).toEqual(['TASK_STARTED', 'TASK_COMPLETED']);
  expect(stored.filter((row) => row.type === 'TASK_COMPLETED')).toHaveLength(3);
  const health = (await (await fetch(`${harness.service.url}/health`)).json()) as {
    dependencies: { event_outbox: { status: string; pending: number } };
  };
  expect(health.dependencies.event_outbox.status).toBe('up');
  expect(health.dependencies.event_outbox.pending).toBeGreaterThanOrEqual(stored.length);

  // The coordinator gave up on publishing them itself: they are the sweeper's now.
  await waitFor(
    async () => (await metric('workflow_event_publish_failures_total', { path: 'direct' })) >= 1,
    'the direct publish to fail',
    60_000,
  );
  await broker.start();

  await waitFor(
    async () => (await storedEvents(id, 'unpublished')).length === 0,
    'the outbox to drain',
    90_000,
  );
  // Exactly the stored events, each once (task events and completions are two topics, so
  // they may arrive in either order here; a duplicate would arrive within the settle time).
  const storedIds = stored.map((row) => row.event_id).sort();
  await waitFor(
    () => new Set(delivered(id).map((event) => event.id)).size === storedIds.length,
    'the late events to arrive',
    60_000,
  );
  await sleep(1_000);
  expect(
    delivered(id)
      .map((event) => event.id)
      .sort(),
  ).toEqual(storedIds);
  expect((await metric('workflow_events_published_late_total')) - lateBefore).toBe(7);
});
