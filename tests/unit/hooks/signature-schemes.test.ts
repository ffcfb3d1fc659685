import { createHmac } from 'node:crypto';

import {
  type SchemeInput,
  verifyScheme,
} from '../../../subgraphs/hooks/signatures/signature-schemes';

const body = Buffer.from('{"source":"x"}');
const nowMs = 1_700_000_000_000;
const nowSeconds = nowMs / 1000;
const base = { rawBody: body, nowMs, toleranceMs: 300_000 };

describe('standard-webhooks', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const sign = (timestamp: number, key = secret) =>
    createHmac('sha256', Buffer.from(key.slice(6), 'base64'))
      .update(`msg_1.${timestamp}.${body.toString()}`)
      .digest('base64');
  const input = (headers: SchemeInput['headers']): SchemeInput => ({ ...base, secret, headers });

  test('accepts any matching v1 entry of the list', () => {
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(nowSeconds),
      'webhook-signature': `v1,bm9wZQ== v1,${sign(nowSeconds)}`,
    };
    expect(verifyScheme('standard-webhooks', input(headers))).toMatchObject({
      ok: true,
      timestamped: true,
    });
  });

  test.each([
    ['missing', {}],
    [
      'mismatch',
      {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(nowSeconds),
        'webhook-signature': 'v1,AAAA',
      },
    ],
    [
      'stale',
      {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(nowSeconds - 301),
        'webhook-signature': `v1,${sign(nowSeconds - 301)}`,
      },
    ],
    [
      'stale',
      {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(nowSeconds + 301),
        'webhook-signature': `v1,${sign(nowSeconds + 301)}`,
      },
    ],
    [
      'malformed',
      { 'webhook-id': 'msg_1', 'webhook-timestamp': 'soon', 'webhook-signature': 'v1,AAAA' },
    ],
  ])('refuses as %s', (failure, headers) => {
    expect(verifyScheme('standard-webhooks', input(headers))).toEqual({ ok: false, failure });
  });
});

describe('github', () => {
  const sign = (key: string) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
  test('accepts the right secret, refuses another, a malformed header and none', () => {
    const check = (headers: SchemeInput['headers']) =>
      verifyScheme('github', { ...base, secret: 's3cret', headers });
    expect(check({ 'x-hub-signature-256': sign('s3cret') })).toMatchObject({
      ok: true,
      timestamped: false,
    });
    expect(check({ 'x-hub-signature-256': sign('other') })).toEqual({
      ok: false,
      failure: 'mismatch',
    });
    expect(check({ 'x-hub-signature-256': 'sha1=abc' })).toEqual({
      ok: false,
      failure: 'malformed',
    });
    expect(check({})).toEqual({ ok: false, failure: 'missing' });
  });
});

describe('stripe', () => {
  const sign = (timestamp: number, key = 'whsec_s') =>
    createHmac('sha256', key).update(`${timestamp}.${body.toString()}`).digest('hex');
  test('accepts a matching v1, refuses a stale timestamp, another secret and a header without t', () => {
    const check = (header: string) =>
      verifyScheme('stripe', {
        ...base,
        secret: 'whsec_s',
        headers: { 'stripe-signature': header },
      });
    expect(
      check(`t=${nowSeconds},v1=${sign(nowSeconds, 'old')},v1=${sign(nowSeconds)}`),
    ).toMatchObject({ ok: true });
    expect(check(`t=${nowSeconds - 400},v1=${sign(nowSeconds - 400)}`)).toEqual({
      ok: false,
      failure: 'stale',
    });
    expect(check(`t=${nowSeconds},v1=${sign(nowSeconds, 'other')}`)).toEqual({
      ok: false,
      failure: 'mismatch',
    });
    expect(check(`v1=${sign(nowSeconds)}`)).toEqual({ ok: false, failure: 'malformed' });
  });
});
