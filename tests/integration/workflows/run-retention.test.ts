/**
 * Run retention: finished runs older than the retention go with their tasks and event
 * history; recent runs and unfinished ones stay, however old.
 */
import { randomUUID } from 'node:crypto';

import { parseDefinition } from '../../../subgraphs/workflows/definition';
import { deleteExpiredRuns } from '../../../subgraphs/workflows/run-retention';
import { insertRun } from '../../../subgraphs/workflows/run-store';
import { type Harness, createHarness, waitFor } from './support/harness';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
});

afterAll(async () => {
  await harness?.close();
});

const DEFINITION = {
  name: 'retention',
  tasks: [{ id: 'only', type: 'transform', input: { kept: true } }],
};

async function finishedRun(): Promise<string> {
  const response = await harness.rest('POST', '/api/v1/workflows/execute', {
    definition: DEFINITION,
  });
  const id = response.body.workflow_id as string;
  await waitFor(
    async () =>
      (await harness.rest('GET', `/api/v1/workflows/${id}/status`)).body.status === 'completed',
    'the run to finish',
  );
  return id;
}

const ageBy = (id: string, days: number) =>
  harness.db.query(
    `UPDATE workflows SET created_at = now() - $2 * interval '1 day' WHERE id = $1`,
    [id, days],
  );

const rowsOf = async (id: string) =>
  (
    await harness.db.query<{ runs: number; tasks: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM workflows WHERE id = $1) AS runs,
              (SELECT count(*)::int FROM workflow_tasks WHERE workflow_id = $1) AS tasks,
              (SELECT count(*)::int FROM workflow_run_events WHERE workflow_id = $1) AS events`,
      [id],
    )
  ).rows[0];

it('deletes finished runs past the retention with their tasks and events, and nothing else', async () => {
  const expired = await finishedRun();
  const recent = await finishedRun();
  await ageBy(expired, 31);
  await ageBy(recent, 29);
  // An old run that never finished (its coordinator holds it): kept.
  const unfinished = randomUUID();
  await insertRun(harness.db, {
    id: unfinished,
    definitionName: 'retention',
    definitionVersion: 0,
    definition: parseDefinition(DEFINITION),
    input: {},
    hookEventId: null,
    triggerEvent: null,
    correlationId: 'old',
    leaseOwner: 'elsewhere',
    leaseMs: 3_600_000,
  });
  await ageBy(unfinished, 90);
  expect(await rowsOf(expired)).toEqual({ runs: 1, tasks: 1, events: 3 });

  expect(await deleteExpiredRuns(harness.db, 30)).toBe(1);

  expect(await rowsOf(expired)).toEqual({ runs: 0, tasks: 0, events: 0 });
  expect(await rowsOf(recent)).toEqual({ runs: 1, tasks: 1, events: 3 });
  expect((await rowsOf(unfinished))?.runs).toBe(1);
  expect((await harness.rest('GET', `/api/v1/workflows/${expired}/status`)).status).toBe(404);
  await harness.db.query(`UPDATE workflows SET status = 'cancelled' WHERE id = $1`, [unfinished]);
});
