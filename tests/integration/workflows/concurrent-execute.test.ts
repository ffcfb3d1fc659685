/**
 * Concurrent POST /api/v1/workflows/execute requests, which the coordinator writes to
 * PostgreSQL in shared statements: each gets its own answer, a repeated client-chosen id
 * inside one burst is one run, and a bad request fails alone.
 */
import { randomUUID } from 'node:crypto';

import { type Harness, createHarness } from './support/harness';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
});

afterAll(async () => {
  await harness?.close();
});

const definition = (name: string) => ({
  name,
  tasks: [{ id: 'copy', type: 'transform', input: { value: '{{input.n}}' } }],
});

test('a burst of executes: one run per id, duplicates answered with the same run, a bad one refused alone', async () => {
  const ids: string[] = Array.from({ length: 12 }, () => randomUUID());
  const requests = [
    ...ids.map((id, n) => ({ workflow_id: id, definition: definition('burst'), input: { n } })),
    // Each id a second time, in the same burst.
    ...ids.map((id, n) => ({ workflow_id: id, definition: definition('burst'), input: { n } })),
    { definition: { name: 'broken', tasks: [{ id: 'a', type: 'transform', dependsOn: ['a'] }] } },
  ];

  const answers = await Promise.all(
    requests.map((body) => harness.rest('POST', '/api/v1/workflows/execute', body)),
  );

  const accepted = answers.slice(0, ids.length * 2);
  expect(accepted.map((answer) => answer.status)).toEqual(accepted.map(() => 200));
  expect(accepted.map((answer) => answer.body.workflow_id)).toEqual([...ids, ...ids]);
  const refused = answers[answers.length - 1];
  expect(refused?.status).toBe(400);
  expect(JSON.stringify(refused?.body)).toMatch(/cycle/);

  const stored = await harness.db.query<{ id: string; input: { n: number } }>(
    'SELECT id, input FROM workflows WHERE id = ANY($1::uuid[])',
    [ids],
  );
  expect(stored.rows).toHaveLength(ids.length);
  for (const row of stored.rows) expect(row.input.n).toBe(ids.indexOf(row.id));
});
