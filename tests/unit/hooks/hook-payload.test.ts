import { AppError } from '../../../platform/errors';
import {
  canonicalJson,
  parseHookPayload,
  payloadFingerprint,
} from '../../../subgraphs/hooks/intake/hook-payload';
import { decodeCursor, encodeCursor } from '../../../subgraphs/hooks/store/event-cursor';

const valid = {
  source: 'github',
  action: 'opened',
  resource: 'pr',
  resource_id: '1',
  data: { a: 1 },
};

test('a valid payload is returned in camelCase with data defaulting to {}', () => {
  expect(parseHookPayload(valid)).toEqual({
    source: 'github',
    action: 'opened',
    resource: 'pr',
    resourceId: '1',
    data: { a: 1 },
  });
  const withoutData: Record<string, unknown> = { ...valid };
  delete withoutData['data'];
  expect(parseHookPayload(withoutData).data).toEqual({});
});

test('every bad field gets its own message', () => {
  try {
    parseHookPayload({ source: 7, action: '  ', extra: true });
    throw new Error('expected a validation error');
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details['field_errors']).toEqual({
      source: 'source must be a string',
      action: 'action must not be empty',
      resource: 'resource is required',
      resource_id: 'resource_id is required',
      '(body)': expect.stringContaining('extra'),
    });
  }
});

test('a non-object body is refused as a whole', () => {
  expect(() => parseHookPayload([1])).toThrow('The webhook payload is not valid.');
});

test('the fingerprint ignores key order but not values', () => {
  const a = parseHookPayload(valid);
  const b = parseHookPayload({
    data: { a: 1 },
    resource_id: '1',
    resource: 'pr',
    action: 'opened',
    source: 'github',
  });
  expect(payloadFingerprint(a)).toBe(payloadFingerprint(b));
  expect(payloadFingerprint({ ...a, data: { a: 2 } })).not.toBe(payloadFingerprint(a));
  expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe(
    '{"a":null,"b":[1,{"c":2,"d":1}]}',
  );
});

test('cursors round-trip and anything else is refused', () => {
  const position = {
    receivedAt: new Date('2026-01-02T03:04:05.678Z'),
    id: '0b1c2d3e-0000-4000-8000-000000000001',
  };
  expect(decodeCursor(encodeCursor(position))).toEqual(position);
  expect(() => decodeCursor('not-a-cursor')).toThrow('The cursor is not valid.');
  expect(() => decodeCursor(Buffer.from('2026-01-01|nope').toString('base64url'))).toThrow(
    AppError,
  );
});
