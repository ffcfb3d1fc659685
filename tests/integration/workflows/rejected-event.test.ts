/**
 * A run whose completion is too large for Kafka (its output over the broker's 1 MiB
 * message limit): the run completes, its task events are published, the completion is
 * refused for good and kept as the run's history only (Workflow.events still has it),
 * and publishing for other runs is not paused by it.
 */
import { metricValue } from '../../support/metrics';
import { type Harness, createHarness, waitFor } from './support/harness';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness({ outboxSweepIntervalMs: 200, outboxGraceMs: 300 });
});

afterAll(async () => {
  await harness?.close();
});

// Two sinks of 600 KB each: each task event is small, the completion (both outputs) is not.
const HUGE = {
  name: 'huge-output',
  tasks: [
    { id: 'a', type: 'transform', input: '{{input.blob}}' },
    { id: 'b', type: 'transform', input: '{{input.blob}}' },
  ],
};

const metric = (name: string) => metricValue(harness.service.url, name);

it('keeps a completion Kafka refuses as history only, without holding up other runs', async () => {
  const rejectedBefore = await metric('workflow_events_rejected_total');
  const response = await harness.rest('POST', '/api/v1/workflows/execute', {
    definition: HUGE,
    input: { blob: 'x'.repeat(600_000) },
  });
  expect(response.status).toBe(200);
  const id = response.body.workflow_id as string;

  await waitFor(
    async () => (await metric('workflow_events_rejected_total')) === rejectedBefore + 1,
    'the rejection',
  );
  const rows = await harness.db.query(
    `SELECT envelope -> 'data' ->> 'type' AS type, published_at IS NOT NULL AS published,
            rejected_at IS NOT NULL AS rejected
     FROM workflow_run_events WHERE workflow_id = $1 ORDER BY seq`,
    [id],
  );
  expect(rows.rows.filter((row) => row.type.startsWith('TASK_'))).toHaveLength(4);
  expect(
    rows.rows.filter((row) => row.type.startsWith('TASK_')).every((row) => row.published),
  ).toBe(true);
  expect(rows.rows.at(-1)).toEqual({
    type: 'WORKFLOW_COMPLETED',
    published: false,
    rejected: true,
  });
  const status = await harness.rest('GET', `/api/v1/workflows/${id}/status`);
  expect(status.body.status).toBe('completed');
  const history = await harness.rest('GET', `/api/v1/workflows/${id}/events`);
  expect(history.body.events.at(-1)).toMatchObject({
    type: 'WORKFLOW_COMPLETED',
    status: 'completed',
  });

  // The next run is published right after its commit: nothing was paused.
  const next = await harness.rest('POST', '/api/v1/workflows/execute', {
    definition: { name: 'small', tasks: [{ id: 'only', type: 'transform', input: 1 }] },
  });
  await waitFor(
    () =>
      harness.events.some(
        (event) =>
          event.data.workflowId === next.body.workflow_id &&
          event.data.type === 'WORKFLOW_COMPLETED',
      ),
    'the next run completion',
  );
  // Nothing waits in the outbox (the refused event is out of it), direct publishing is on.
  const outbox = async () =>
    (
      (await (await fetch(`${harness.service.url}/health`)).json()) as {
        dependencies: { event_outbox: { pending: number; direct_publishing: string } };
      }
    ).dependencies.event_outbox;
  await waitFor(async () => (await outbox()).pending === 0, 'the outbox to empty');
  expect((await outbox()).direct_publishing).toBe('active');
  expect(
    harness.events.some(
      (event) => event.data.workflowId === id && event.data.type === 'WORKFLOW_COMPLETED',
    ),
  ).toBe(false);
});
