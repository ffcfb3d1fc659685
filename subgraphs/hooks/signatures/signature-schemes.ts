/**
 * The three signature schemes a source can use, as pure functions over headers, body,
 * secret and clock:
 *
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` ("v1,<b64>"
 *   entries), HMAC-SHA256 over "<id>.<timestamp>.<body>" with the base64 key after "whsec_".
 * - GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 over the body. It carries no
 *   time, so replays are caught by X-GitHub-Delivery as the idempotency key instead.
 * - Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]`, HMAC-SHA256 over "<t>.<body>".
 *
 * Timestamped schemes refuse a timestamp more than the tolerance away from now.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { type RequestHeaders, headerValue } from '../intake/delivery-audit';

export const SIGNATURE_SCHEMES = ['standard-webhooks', 'github', 'stripe'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

/** Why a signature was refused; closed so callers and tests can switch on it. */
export type SignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch';

export type SchemeResult =
  | {
      ok: true;
      /** The signature that matched, for replay detection. */ matched: string;
      timestamped: boolean;
    }
  | { ok: false; failure: SignatureFailure };

export interface SchemeInput {
  headers: RequestHeaders;
  rawBody: Buffer;
  secret: string;
  nowMs: number;
  toleranceMs: number;
}

export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

export function verifyScheme(scheme: SignatureScheme, input: SchemeInput): SchemeResult {
  switch (scheme) {
    case 'standard-webhooks':
      return verifyStandardWebhooks(input);
    case 'github':
      return verifyGitHub(input);
    case 'stripe':
      return verifyStripe(input);
  }
}

function verifyStandardWebhooks(input: SchemeInput): SchemeResult {
  const id = headerValue(input.headers, 'webhook-id');
  const timestamp = headerValue(input.headers, 'webhook-timestamp');
  const signatures = headerValue(input.headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    return { ok: false, failure: 'missing' };
  }
  const stale = checkTimestamp(timestamp, input);
  if (stale) return stale;

  const key = Buffer.from(input.secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp}.`)
    .update(input.rawBody)
    .digest();
  const candidates = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, value]) => version === 'v1' && value !== undefined);
  if (candidates.length === 0) return { ok: false, failure: 'malformed' };
  for (const [, value] of candidates) {
    if (safeEqual(Buffer.from(value ?? '', 'base64'), expected)) {
      return { ok: true, matched: `${id}.${timestamp}.${value}`, timestamped: true };
    }
  }
  return { ok: false, failure: 'mismatch' };
}

function verifyGitHub(input: SchemeInput): SchemeResult {
  const header = headerValue(input.headers, 'x-hub-signature-256');
  if (header === undefined) return { ok: false, failure: 'missing' };
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header);
  if (!match?.[1]) return { ok: false, failure: 'malformed' };
  const expected = createHmac('sha256', input.secret).update(input.rawBody).digest();
  return safeEqual(Buffer.from(match[1], 'hex'), expected)
    ? { ok: true, matched: match[1].toLowerCase(), timestamped: false }
    : { ok: false, failure: 'mismatch' };
}

function verifyStripe(input: SchemeInput): SchemeResult {
  const header = headerValue(input.headers, 'stripe-signature');
  if (header === undefined) return { ok: false, failure: 'missing' };
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't') timestamp = value;
    else if (name === 'v1' && value) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0)
    return { ok: false, failure: 'malformed' };
  const stale = checkTimestamp(timestamp, input);
  if (stale) return stale;

  const expected = createHmac('sha256', input.secret)
    .update(`${timestamp}.`)
    .update(input.rawBody)
    .digest();
  for (const signature of signatures) {
    if (/^[0-9a-f]{64}$/i.test(signature) && safeEqual(Buffer.from(signature, 'hex'), expected)) {
      return { ok: true, matched: `${timestamp}.${signature.toLowerCase()}`, timestamped: true };
    }
  }
  return { ok: false, failure: 'mismatch' };
}

function checkTimestamp(timestamp: string, input: SchemeInput): SchemeResult | undefined {
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, failure: 'malformed' };
  const skewMs = Math.abs(input.nowMs - Number(timestamp) * 1000);
  return skewMs > input.toleranceMs ? { ok: false, failure: 'stale' } : undefined;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
