/**
 * A hook event the broker refuses for good (bigger than Kafka's 1 MiB message limit,
 * accepted because this deployment allows 3 MiB webhooks): it is set aside, marked failed
 * with the reason in its history, and the events behind it (same source, so the same
 * order) still reach workflow.events instead of waiting behind it forever.
 */
import { Topics } from '../../../platform/events/topics';
import {
  type HooksHarness,
  type TopicRecorder,
  postHook,
  recordTopic,
  startHooksHarness,
  waitUntil,
} from './hooks-harness';

let harness: HooksHarness;
let recorder: TopicRecorder;

beforeAll(async () => {
  harness = await startHooksHarness({ WEBHOOK_MAX_BODY_BYTES: String(3 * 1024 * 1024) });
  recorder = await recordTopic(harness.runtime.topic(Topics.workflowEvents));
});

afterAll(async () => {
  await recorder?.close();
  await harness?.close();
});

const send = async (resourceId: string, text: string) => {
  const response = await postHook(harness.service.url, {
    key: harness.writerKey,
    body: {
      source: 'big',
      action: 'upload',
      resource: 'file',
      resource_id: resourceId,
      data: { text },
    },
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { event_id: string }).event_id;
};

it('sets aside an event Kafka refuses for good and keeps publishing the ones behind it', async () => {
  const before = await send('before', 'small');
  const oversized = await send('oversized', 'x'.repeat(1_500_000));
  const after = await send('after', 'small');

  await recorder.waitFor((events) => events.some((event) => event.envelope.id === after), 30_000);
  const delivered = recorder.events.map((event) => event.envelope.id);
  expect(delivered).toEqual([before, after]);

  await waitUntil(async () => {
    const row = await harness.db.query('SELECT status FROM hook_events WHERE id = $1', [oversized]);
    return row.rows[0]?.status === 'failed';
  });
  const history = await harness.db.query(
    'SELECT status, detail FROM hook_event_history WHERE event_id = $1 ORDER BY id',
    [oversized],
  );
  expect(history.rows).toEqual([
    { status: 'received', detail: expect.anything() },
    {
      status: 'failed',
      detail: { reason: 'rejected by the event bus', code: 'MESSAGE_TOO_LARGE' },
    },
  ]);
  const outbox = await harness.db.query(
    'SELECT rejected_at, published_at, last_error FROM hook_outbox WHERE event_id = $1',
    [oversized],
  );
  expect(outbox.rows[0]).toMatchObject({ rejected_at: expect.any(Date), published_at: null });
  expect(outbox.rows[0].last_error).toMatch(/MESSAGE_TOO_LARGE/);
  const metrics = await (await fetch(`${harness.service.url}/metrics`)).text();
  expect(metrics).toMatch(/^hooks_outbox_rejected_total(\{[^}]*\})? 1$/m);
});
