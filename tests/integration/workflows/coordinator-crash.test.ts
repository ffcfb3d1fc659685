/**
 * A coordinator process killed (SIGKILL) in the middle of a run: after its lease expires
 * another coordinator takes the run over with a new fencing token and finishes it,
 * re-running only the task that was interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { findTasks } from '../../../subgraphs/workflows/run-store';
import { type Harness, createHarness, waitFor } from './support/harness';

let harness: Harness;
let child: ChildProcess | undefined;

beforeAll(async () => {
  harness = await createHarness({ leaseMs: 600, sweepIntervalMs: 100 });
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await harness?.close();
});

async function startChildCoordinator(): Promise<string> {
  const { config } = harness.runtime;
  child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'support/coordinator-process.ts')],
    {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        DATABASE_URL: harness.runtime.databaseUrl,
        KAFKA_BROKERS: (config.kafka.brokers ?? []).join(','),
        KAFKA_TOPIC_PREFIX: config.kafka.topicPrefix,
        WORKFLOWS_PORT: '0',
        MODEL_METRICS_URL: config.urls['model-metrics'],
        TEST_LEASE_MS: '1000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const match = await waitFor(
    () => /ready (\S+)/.exec(output) ?? undefined,
    'the child coordinator',
    45_000,
  );
  return match[1] as string;
}

it('resumes the run of a killed coordinator without re-running its completed task', async () => {
  const childUrl = await startChildCoordinator();
  const response = await fetch(`${childUrl}/api/v1/workflows/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': harness.apiKey },
    body: JSON.stringify({
      definition: {
        name: 'crash-me',
        tasks: [
          { id: 'first', type: 'transform', input: { at: 'first' } },
          { id: 'slow', type: 'delay', depends_on: ['first'], input: { duration_ms: 1_500 } },
          {
            id: 'last',
            type: 'transform',
            depends_on: ['slow'],
            input: '{{tasks.first.output.at}}',
          },
        ],
      },
    }),
  });
  const { workflow_id: workflowId } = (await response.json()) as { workflow_id: string };

  await waitFor(async () => {
    const tasks = await findTasks(harness.db, [workflowId]);
    return tasks.find((task) => task.taskId === 'slow')?.status === 'running';
  }, 'the slow task to start in the child');
  const held = await harness.db.query(
    'SELECT lease_owner, fencing_token FROM workflows WHERE id = $1',
    [workflowId],
  );
  expect(held.rows[0]).toEqual({ lease_owner: 'child-coordinator', fencing_token: 1 });
  child?.kill('SIGKILL');

  const completion = await waitFor(
    () =>
      harness.events.find(
        (event) => event.data.workflowId === workflowId && event.data.type.startsWith('WORKFLOW_'),
      ),
    'the resumed run to complete',
  );
  expect(completion.data).toMatchObject({ status: 'completed', output: { last: 'first' } });
  const tasks = await findTasks(harness.db, [workflowId]);
  expect(tasks.map((task) => [task.taskId, task.status, task.attempts])).toEqual([
    ['first', 'completed', 1],
    ['slow', 'completed', 2],
    ['last', 'completed', 1],
  ]);
  const run = await harness.db.query('SELECT fencing_token FROM workflows WHERE id = $1', [
    workflowId,
  ]);
  expect(run.rows[0].fencing_token).toBe(2);
});
