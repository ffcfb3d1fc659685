/**
 * The webhook payload every intake path accepts (REST body and the receiveHook mutation):
 * validated with zod so a bad delivery gets one message per field, and fingerprinted so
 * an idempotent retry can be told apart from a different payload under the same key.
 */
import { createHash } from 'node:crypto';

import { z } from 'zod';

import { AppError, fieldErrors } from '../../../platform/errors';
import { HookErrors } from '../errors';

const MAX_NAME_CHARS = 128;

// The source names the CloudEvent source (`/hooks/<source>`) and the partition key, so it
// is kept to characters that need no escaping in a URI path.
const sourceName = z
  .string({ required_error: 'source is required', invalid_type_error: 'source must be a string' })
  .min(1, 'source must not be empty')
  .max(64, 'source must be at most 64 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'source may contain only letters, digits, ".", "_" and "-"',
  );

const name = (field: string) =>
  z
    .string({
      required_error: `${field} is required`,
      invalid_type_error: `${field} must be a string`,
    })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(MAX_NAME_CHARS, `${field} must be at most ${MAX_NAME_CHARS} characters`);

export const HookPayloadSchema = z
  .object(
    {
      source: sourceName,
      action: name('action'),
      resource: name('resource'),
      resource_id: name('resource_id'),
      data: z.unknown().optional(),
    },
    {
      required_error: 'the body must be a JSON object',
      invalid_type_error: 'the body must be a JSON object',
    },
  )
  .strict();

export interface HookPayload {
  source: string;
  action: string;
  resource: string;
  resourceId: string;
  /** Any JSON value; an absent `data` is stored as an empty object. */
  data: unknown;
}

/** Throws 400 VALIDATION_FAILED with `field_errors` unless `body` is a valid payload. */
export function parseHookPayload(body: unknown): HookPayload {
  const parsed = HookPayloadSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppError(HookErrors.VALIDATION_FAILED, 'The webhook payload is not valid.', {
      field_errors: fieldErrors(parsed.error.issues),
    });
  }
  const { source, action, resource, resource_id: resourceId, data } = parsed.data;
  const nulField = [
    ['action', action],
    ['resource', resource],
    ['resource_id', resourceId],
  ].find(([, value]) => value?.includes('\u0000'));
  const field = nulField?.[0] ?? (containsNul(data) ? 'data' : undefined);
  if (field !== undefined) {
    // PostgreSQL refuses U+0000 in text and jsonb: without this check the delivery would
    // fail at INSERT (a 500) and, with group commit, force its whole group to be rewritten.
    throw new AppError(HookErrors.VALIDATION_FAILED, 'The webhook payload is not valid.', {
      field_errors: { [field]: 'must not contain the NUL character (U+0000)' },
    });
  }
  return { source, action, resource, resourceId, data: data ?? {} };
}

/** True when a string or object key anywhere in `value` holds U+0000. */
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).some(
      ([key, member]) => key.includes('\u0000') || containsNul(member),
    );
  }
  return false;
}

/**
 * SHA-256 of the payload in canonical JSON (keys sorted): the same delivery gives the same
 * fingerprint whatever its whitespace, key order or transport (REST or GraphQL).
 */
export function payloadFingerprint(payload: HookPayload): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
