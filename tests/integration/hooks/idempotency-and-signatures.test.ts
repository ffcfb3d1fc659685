/**
 * Idempotent redelivery and per-source signatures (Standard Webhooks, GitHub, Stripe) on
 * real PostgreSQL: a retry returns the same event, a reused key with another body gets 422,
 * a bad, stale or replayed signature gets 401 and leaves only an audit row.
 */
import { createHmac } from 'node:crypto';

import type { SecretBox } from '../../../platform/crypto/secret-box';
import { createSecretBox } from '../../../platform/crypto/secrets-key';
import { createHooksService } from '../../../subgraphs/hooks/service';
import { addSourceSecret } from '../../../subgraphs/hooks/signatures/source-signatures';
import { type HooksHarness, countRows, postHook, startHooksHarness } from './hooks-harness';

jest.setTimeout(60_000);

let harness: HooksHarness;
let baseUrl: string;
/** Seals secrets as the service does (the same HOOK_SECRETS_KEY). */
let box: SecretBox;

const body = (source: string, resourceId = 'r-1') =>
  JSON.stringify({
    source,
    action: 'created',
    resource: 'thing',
    resource_id: resourceId,
    data: { n: 1 },
  });

beforeAll(async () => {
  harness = await startHooksHarness();
  baseUrl = harness.service.url;
  box = await createSecretBox(harness.config, harness.runtime.log);
});

afterAll(async () => {
  await harness?.close();
});

const rejections = async () =>
  (await harness.db.query('SELECT source, reason FROM hook_rejections ORDER BY at')).rows as Array<{
    source: string;
    reason: string;
  }>;

describe('idempotency', () => {
  test('a retried delivery with the same Idempotency-Key returns the same event_id and stores nothing new', async () => {
    const headers = { 'idempotency-key': 'delivery-001' };
    const first = await postHook(baseUrl, { key: harness.writerKey, raw: body('shop'), headers });
    expect(first.status).toBe(202);
    const { event_id: eventId } = (await first.json()) as { event_id: string };
    const before = await countRows(harness.db);

    // Same payload, other whitespace and key order: still the same delivery.
    const retry = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: `{ "data": {"n":1}, "resource_id": "r-1", "resource": "thing", "action": "created", "source": "shop" }`,
      headers,
    });
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual({ event_id: eventId, status: 'accepted' });
    expect(await countRows(harness.db)).toEqual(before);
  });

  test('concurrent deliveries with one webhook-id store one event', async () => {
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        postHook(baseUrl, {
          key: harness.writerKey,
          raw: body('shop', 'r-concurrent'),
          headers: { 'webhook-id': 'msg_concurrent' },
        }),
      ),
    );
    const ids = await Promise.all(
      responses.map(async (response) => ((await response.json()) as { event_id: string }).event_id),
    );
    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(ids).size).toBe(1);
    const stored = await harness.db.query(
      "SELECT count(*)::int AS n FROM hook_events WHERE resource_id = 'r-concurrent'",
    );
    expect(stored.rows[0].n).toBe(1);
  });

  test('the same key with a different body gets 422 and stores nothing', async () => {
    await postHook(baseUrl, {
      key: harness.writerKey,
      raw: body('shop', 'r-a'),
      headers: { 'idempotency-key': 'delivery-002' },
    });
    const before = await countRows(harness.db);
    const conflict = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: body('shop', 'r-b'),
      headers: { 'idempotency-key': 'delivery-002' },
    });
    expect(conflict.status).toBe(422);
    expect(await conflict.json()).toMatchObject({
      error: 'IDEMPOTENCY_KEY_REUSED',
      event_id: expect.any(String),
    });
    expect(await countRows(harness.db)).toEqual(before);
  });

  test('an expired key is forgotten: the next delivery is a new event', async () => {
    const first = (await (
      await postHook(baseUrl, {
        key: harness.writerKey,
        raw: body('shop', 'r-old'),
        headers: { 'idempotency-key': 'delivery-003' },
      })
    ).json()) as { event_id: string };
    await harness.db.query(
      "UPDATE hook_idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'delivery-003'",
    );
    const again = (await (
      await postHook(baseUrl, {
        key: harness.writerKey,
        raw: body('shop', 'r-old'),
        headers: { 'idempotency-key': 'delivery-003' },
      })
    ).json()) as { event_id: string };
    expect(again.event_id).not.toBe(first.event_id);
  });
});

describe('Standard Webhooks signatures', () => {
  const secret = `whsec_${Buffer.from('standard-webhooks-test-secret-32b').toString('base64')}`;
  const sign = (id: string, timestamp: number, payload: string, key = secret) =>
    `v1,${createHmac('sha256', Buffer.from(key.slice(6), 'base64'))
      .update(`${id}.${timestamp}.${payload}`)
      .digest('base64')}`;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    await addSourceSecret(harness.db, box, { source: 'svix', scheme: 'standard-webhooks', secret });
  });

  test('good, bad, expired and replayed', async () => {
    const payload = body('svix', 'sw-1');
    const timestamp = now();
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign('msg_1', timestamp, payload),
    };
    const good = await postHook(baseUrl, { key: harness.writerKey, raw: payload, headers });
    expect(good.status).toBe(202);
    const { event_id: eventId } = (await good.json()) as { event_id: string };
    const stored = await harness.db.query(
      'SELECT signature_scheme FROM hook_events WHERE id = $1',
      [eventId],
    );
    expect(stored.rows[0].signature_scheme).toBe('standard-webhooks');

    const before = await countRows(harness.db);
    const rejectionsBefore = (await rejections()).length;
    const bad = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: { ...headers, 'webhook-id': 'msg_2', 'webhook-signature': 'v1,AAAA' },
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({
      error: 'INVALID_SIGNATURE',
      signature_failure: 'mismatch',
    });

    const old = now() - 600;
    const expired = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: {
        'webhook-id': 'msg_3',
        'webhook-timestamp': String(old),
        'webhook-signature': sign('msg_3', old, payload),
      },
    });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ signature_failure: 'stale' });

    const unsigned = await postHook(baseUrl, { key: harness.writerKey, raw: payload });
    expect(unsigned.status).toBe(401);

    const replayed = await postHook(baseUrl, { key: harness.writerKey, raw: payload, headers });
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: 'SIGNATURE_REPLAYED' });

    expect(await countRows(harness.db)).toEqual(before);
    expect((await rejections()).slice(rejectionsBefore).map((row) => row.reason)).toEqual([
      'INVALID_SIGNATURE',
      'INVALID_SIGNATURE',
      'INVALID_SIGNATURE',
      'SIGNATURE_REPLAYED',
    ]);

    // The sender's own retry is re-signed with a new timestamp: accepted, same event.
    const retryAt = timestamp + 1;
    const retry = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(retryAt),
        'webhook-signature': sign('msg_1', retryAt, payload),
      },
    });
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual({ event_id: eventId, status: 'accepted' });
  });
});

describe('GitHub signatures', () => {
  const sign = (payload: string, key: string) =>
    `sha256=${createHmac('sha256', key).update(payload).digest('hex')}`;

  test('good, bad, a rotation with two active secrets, and a redelivery', async () => {
    await addSourceSecret(harness.db, box, {
      source: 'gh',
      scheme: 'github',
      secret: 'old-secret',
    });
    await addSourceSecret(harness.db, box, {
      source: 'gh',
      scheme: 'github',
      secret: 'new-secret',
    });
    const payload = body('gh', 'gh-1');

    const withOld = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: { 'x-hub-signature-256': sign(payload, 'old-secret'), 'x-github-delivery': 'd-1' },
    });
    expect(withOld.status).toBe(202);
    const { event_id: eventId } = (await withOld.json()) as { event_id: string };
    const payload2 = body('gh', 'gh-2');
    const withNew = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload2,
      headers: { 'x-hub-signature-256': sign(payload2, 'new-secret') },
    });
    expect(withNew.status).toBe(202);

    // GitHub's signature carries no time: a redelivery is caught by X-GitHub-Delivery.
    const redelivery = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: { 'x-hub-signature-256': sign(payload, 'old-secret'), 'x-github-delivery': 'd-1' },
    });
    expect(await redelivery.json()).toEqual({ event_id: eventId, status: 'accepted' });

    const bad = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: { 'x-hub-signature-256': sign(payload, 'wrong') },
    });
    expect(bad.status).toBe(401);

    // Stored sealed: the table holds neither secret in the clear.
    const stored = await harness.db.query(
      `SELECT secret FROM hook_source_secrets WHERE source = 'gh'`,
    );
    expect(stored.rows).toHaveLength(2);
    for (const row of stored.rows) {
      expect(row.secret).toMatch(/^v1:[0-9a-f]{8}:/);
      expect(row.secret).not.toMatch(/old-secret|new-secret/);
    }
  });

  test('a secret stored in the clear before sealing is sealed at the next start and still verifies', async () => {
    await harness.db.query(
      `INSERT INTO hook_source_secrets (id, source, scheme, secret)
       VALUES (gen_random_uuid(), 'legacy', 'github', 'legacy-secret')`,
    );
    const restarted = await createHooksService(harness.runtime);
    await restarted.start();
    await restarted.stop();
    const stored = await harness.db.query(
      `SELECT secret FROM hook_source_secrets WHERE source = 'legacy'`,
    );
    expect(stored.rows[0].secret).toMatch(/^v1:/);
    expect(box.open(stored.rows[0].secret)).toBe('legacy-secret');

    const payload = body('legacy', 'legacy-1');
    const signed = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: { 'x-hub-signature-256': sign(payload, 'legacy-secret') },
    });
    expect(signed.status).toBe(202);
  });
});

describe('Stripe signatures', () => {
  const secret = 'whsec_stripe_test';
  const sign = (timestamp: number, payload: string, key = secret) =>
    `t=${timestamp},v1=${createHmac('sha256', key).update(`${timestamp}.${payload}`).digest('hex')}`;

  beforeAll(async () => {
    await addSourceSecret(harness.db, box, { source: 'stripe-acct', scheme: 'stripe', secret });
  });

  test('good, bad, expired and replayed', async () => {
    const payload = body('stripe-acct', 'st-1');
    const timestamp = Math.floor(Date.now() / 1000);
    const header = sign(timestamp, payload);
    expect(
      (
        await postHook(baseUrl, {
          key: harness.writerKey,
          raw: payload,
          headers: { 'stripe-signature': header },
        })
      ).status,
    ).toBe(202);

    const before = await countRows(harness.db);
    const bad = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: { 'stripe-signature': sign(timestamp, payload, 'other') },
    });
    expect(bad.status).toBe(401);
    const old = timestamp - 301;
    const expired = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: { 'stripe-signature': sign(old, payload) },
    });
    expect(await expired.json()).toMatchObject({
      error: 'INVALID_SIGNATURE',
      signature_failure: 'stale',
    });
    const replayed = await postHook(baseUrl, {
      key: harness.writerKey,
      raw: payload,
      headers: { 'stripe-signature': header },
    });
    expect(await replayed.json()).toMatchObject({ error: 'SIGNATURE_REPLAYED' });
    expect(await countRows(harness.db)).toEqual(before);
  });
});
