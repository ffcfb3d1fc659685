/**
 * Several relays on one database (one per hooks replica): only the lease holder publishes,
 * so each outbox row is published once; when the holder stops, a follower takes over.
 */
import { createLogger } from '../../../platform/logger';
import { createServiceMetrics } from '../../../platform/metrics';
import { Topics } from '../../../platform/events/topics';
import { createDatabase } from '../../../platform/db/pool';
import { createHookMetrics } from '../../../subgraphs/hooks/hook-metrics';
import { OutboxRelay } from '../../../subgraphs/hooks/outbox/outbox-relay';
import {
  type HooksHarness,
  postHook,
  recordTopic,
  startHooksHarness,
  waitUntil,
} from './hooks-harness';

jest.setTimeout(60_000);

let harness: HooksHarness;

beforeAll(async () => {
  harness = await startHooksHarness({ OUTBOX_POLL_INTERVAL_MS: '50' });
});

afterAll(async () => {
  await harness?.close();
});

test('two extra relays beside the service publish every row exactly once between them', async () => {
  const log = createLogger({ level: 'silent', service: 'test' });
  const pool = createDatabase({ url: harness.databaseUrl, max: 2 }, log);
  const relays = ['replica-b', 'replica-c'].map((holderId) => {
    const metrics = createHookMetrics(createServiceMetrics(`hooks-${holderId}`));
    const relay = new OutboxRelay({
      db: pool,
      bus: harness.runtime.bus,
      topic: harness.runtime.topic(Topics.workflowEvents),
      log,
      metrics,
      pollIntervalMs: 20,
      batchSize: 5,
      holderId,
    });
    return { relay, metrics };
  });
  const recorder = await recordTopic(harness.runtime.topic(Topics.workflowEvents));
  try {
    for (const { relay } of relays) await relay.start();
    const ids: string[] = [];
    for (let index = 0; index < 30; index += 1) {
      const response = await postHook(harness.service.url, {
        key: harness.writerKey,
        body: { source: 'lease', action: 'a', resource: 'r', resource_id: `x-${index}` },
      });
      ids.push(((await response.json()) as { event_id: string }).event_id);
      // Halfway, the extra relays stop: whoever led hands over without losing a row.
      if (index === 15) for (const { relay } of relays) await relay.stop();
    }
    await waitUntil(async () => {
      const pending = await harness.db.query(
        'SELECT count(*)::int AS n FROM hook_outbox WHERE published_at IS NULL',
      );
      return pending.rows[0].n === 0;
    });
    await recorder.waitFor((events) => events.length >= ids.length);

    expect(recorder.events.map((event) => event.envelope.id)).toEqual(ids);
    const published = await harness.db.query(
      "SELECT count(*)::int AS n FROM hook_event_history WHERE status = 'published'",
    );
    expect(published.rows[0].n).toBe(ids.length);
  } finally {
    for (const { relay } of relays) await relay.stop();
    await recorder.close();
    await pool.end();
  }
});
