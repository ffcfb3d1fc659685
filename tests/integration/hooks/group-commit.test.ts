/**
 * Group commit of the intake on real PostgreSQL: concurrent deliveries share transactions
 * (rows of one transaction share an xmin) yet each keeps its own event id, history and
 * outbox row; idempotent replays racing inside one burst store one event; a statement
 * error caused by one member of a group fails only that member.
 */
import { randomUUID } from 'node:crypto';

import { type Database, createDatabase } from '../../../platform/db/pool';
import { createLogger } from '../../../platform/logger';
import {
  GroupedEventWriter,
  insertHookEvents,
} from '../../../subgraphs/hooks/store/grouped-event-writer';
import type { NewHookEvent } from '../../../subgraphs/hooks/store/hook-event-store';
import { type HooksHarness, postHook, startHooksHarness } from './hooks-harness';

jest.setTimeout(60_000);

let harness: HooksHarness;
let baseUrl: string;
let writerDb: Database;

beforeAll(async () => {
  harness = await startHooksHarness();
  baseUrl = harness.service.url;
  writerDb = createDatabase(
    { url: harness.databaseUrl, max: 2 },
    createLogger({ level: 'silent', service: 'test' }),
  );
});

afterAll(async () => {
  await writerDb?.end();
  await harness?.close();
});

const delivery = (resourceId: string, data: unknown = { n: 1 }) => ({
  source: 'shop',
  action: 'created',
  resource: 'order',
  resource_id: resourceId,
  data,
});

function newEvent(resourceId: string, id: string = randomUUID()): NewHookEvent {
  const receivedAt = new Date();
  return {
    id,
    payload: { source: 'writer', action: 'created', resource: 'order', resourceId, data: {} },
    correlationId: id,
    receivedAt,
    audit: {
      sourceIp: null,
      apiKeyId: null,
      headers: {},
      bodySha256: 'ab'.repeat(32),
      signatureScheme: null,
    },
    idempotencyKey: null,
    envelope: { id } as never,
    partitionKey: 'writer',
  };
}

test('concurrent deliveries share commits, and each is stored with its own event id, history and outbox row', async () => {
  const count = 48;
  const responses = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      postHook(baseUrl, { key: harness.writerKey, body: delivery(`burst-${i}`, { i }) }),
    ),
  );
  expect(responses.map((response) => response.status)).toEqual(Array(count).fill(202));
  const ids = await Promise.all(
    responses.map(async (response) => ((await response.json()) as { event_id: string }).event_id),
  );
  expect(new Set(ids).size).toBe(count);

  const stored = await harness.db.query<{
    id: string;
    resource_id: string;
    data: { i: number };
    tx: string;
    history: number;
    outbox: number;
  }>(
    `SELECT e.id, e.resource_id, e.data, e.xmin::text AS tx,
            (SELECT count(*)::int FROM hook_event_history h
              WHERE h.event_id = e.id AND h.status = 'received') AS history,
            (SELECT count(*)::int FROM hook_outbox o WHERE o.event_id = e.id) AS outbox
     FROM hook_events e WHERE e.id = ANY($1::uuid[])`,
    [ids],
  );
  expect(stored.rows).toHaveLength(count);
  // Each answer names the event of its own delivery, not a neighbour's in the group.
  const byId = new Map(stored.rows.map((row) => [row.id, row]));
  ids.forEach((id, i) => {
    expect(byId.get(id)).toMatchObject({
      resource_id: `burst-${i}`,
      data: { i },
      history: 1,
      outbox: 1,
    });
  });
  // Fewer transactions than deliveries: the burst was committed in groups.
  expect(new Set(stored.rows.map((row) => row.tx)).size).toBeLessThan(count);
});

test('replays of one idempotency key racing in one burst store one event; another body under it gets 422', async () => {
  const key = `race-${randomUUID()}`;
  const sent = [
    ...Array.from({ length: 12 }, (_, i) => ({ body: delivery(`other-${i}`), key: undefined })),
    ...Array.from({ length: 5 }, () => ({ body: delivery('raced', { v: 'a' }), key })),
    { body: delivery('raced', { v: 'b' }), key },
  ];
  const responses = await Promise.all(
    sent.map(({ body, key: idempotencyKey }) =>
      postHook(baseUrl, {
        key: harness.writerKey,
        body,
        headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
      }),
    ),
  );
  const answers = await Promise.all(
    responses.map(async (response) => ({
      status: response.status,
      body: (await response.json()) as { event_id?: string },
    })),
  );
  expect(answers.slice(0, 12).every((answer) => answer.status === 202)).toBe(true);

  const stored = await harness.db.query<{ id: string; data: { v: string } }>(
    'SELECT id, data FROM hook_events WHERE idempotency_key = $1',
    [key],
  );
  expect(stored.rows).toHaveLength(1);
  const winner = stored.rows[0] as { id: string; data: { v: string } };
  // Whichever body arrived first owns the key; the same body replays, the other is refused.
  sent.slice(12).forEach(({ body }, i) => {
    const answer = answers[12 + i];
    if ((body.data as { v: string }).v === winner.data.v) {
      expect(answer).toEqual({ status: 202, body: { event_id: winner.id, status: 'accepted' } });
    } else {
      expect(answer?.status).toBe(422);
    }
  });
  const history = await harness.db.query(
    'SELECT count(*)::int AS n FROM hook_event_history WHERE event_id = $1',
    [winner.id],
  );
  expect(history.rows[0].n).toBeGreaterThanOrEqual(1);
  const outbox = await harness.db.query(
    'SELECT count(*)::int AS n FROM hook_outbox WHERE event_id = $1',
    [winner.id],
  );
  expect(outbox.rows[0].n).toBe(1);
});

test('a NUL character PostgreSQL would refuse gets 400 and does not disturb the deliveries beside it', async () => {
  const responses = await Promise.all([
    ...Array.from({ length: 6 }, (_, i) =>
      postHook(baseUrl, { key: harness.writerKey, body: delivery(`beside-${i}`) }),
    ),
    postHook(baseUrl, { key: harness.writerKey, body: delivery('nul', { text: 'a\u0000b' }) }),
  ]);
  expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202, 202, 202, 400]);
  expect(await responses[6]?.json()).toMatchObject({
    field_errors: { data: expect.stringContaining('NUL') },
  });
  const stored = await harness.db.query(
    "SELECT count(*)::int AS n FROM hook_events WHERE resource_id IN ('nul')",
  );
  expect(stored.rows[0].n).toBe(0);
});

test('a unique violation inside a group fails only the write it belongs to', async () => {
  const taken = newEvent('taken');
  await insertHookEvents(writerDb, [taken]);
  const writer = new GroupedEventWriter(writerDb, { maxGroupsInFlight: 1 });

  // Written in one tick: the first goes alone, the other nine wait and form the next group.
  const events = Array.from({ length: 10 }, (_, i) =>
    i === 5 ? newEvent('collides', taken.id) : newEvent(`fine-${i}`),
  );
  const results = await Promise.allSettled(events.map((event) => writer.write({ event })));

  expect(results.map((result) => result.status)).toEqual([
    ...Array(5).fill('fulfilled'),
    'rejected',
    ...Array(4).fill('fulfilled'),
  ]);
  expect((results[5] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
  expect(writer.stats).toEqual({ groups: 2, writes: 10, splits: 1 });

  const fine = events.filter((_, i) => i !== 5).map((event) => event.id);
  const stored = await harness.db.query<{ history: number; outbox: number }>(
    `SELECT (SELECT count(*)::int FROM hook_event_history WHERE event_id = ANY($1::uuid[])) AS history,
            (SELECT count(*)::int FROM hook_outbox WHERE event_id = ANY($1::uuid[])) AS outbox,
            (SELECT count(*)::int FROM hook_events WHERE id = ANY($1::uuid[])) AS events`,
    [fine],
  );
  expect(stored.rows[0]).toEqual({ history: 9, outbox: 9, events: 9 });
  const original = await harness.db.query('SELECT resource_id FROM hook_events WHERE id = $1', [
    taken.id,
  ]);
  expect(original.rows).toEqual([{ resource_id: 'taken' }]);
});

test('a failed group member does not undo its neighbours’ idempotency claims or replays', async () => {
  const writer = new GroupedEventWriter(writerDb, { maxGroupsInFlight: 1 });
  const taken = newEvent('taken-2');
  await insertHookEvents(writerDb, [taken]);
  const key = `split-${randomUUID()}`;
  const first = newEvent('keyed');
  const replay = newEvent('keyed-again');
  const idempotency = { key, payloadFingerprint: 'same', retentionMs: 60_000 };
  const results = await Promise.allSettled([
    writer.write({ event: newEvent('lead') }),
    writer.write({ event: first, idempotency }),
    writer.write({ event: newEvent('collides-2', taken.id) }),
    // Same key in the same group: held back to the next group, answered as a replay.
    writer.write({ event: replay, idempotency }),
  ]);
  expect(results.map((result) => result.status)).toEqual([
    'fulfilled',
    'fulfilled',
    'rejected',
    'fulfilled',
  ]);
  expect((results[1] as PromiseFulfilledResult<unknown>).value).toEqual({ kind: 'stored' });
  expect((results[3] as PromiseFulfilledResult<unknown>).value).toEqual({
    kind: 'existing',
    eventId: first.id,
    payloadFingerprint: 'same',
  });
  const replayStored = await harness.db.query('SELECT 1 FROM hook_events WHERE id = $1', [
    replay.id,
  ]);
  expect(replayStored.rows).toHaveLength(0);
});
