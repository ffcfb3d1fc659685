/**
 * What the audit trail keeps of a delivery's headers: the ones that trace where it came
 * from and which retry it was. Credentials and signatures are never stored.
 */
export const AUDITED_HEADERS = [
  'user-agent',
  'content-type',
  'content-length',
  'x-request-id',
  'x-correlation-id',
  'x-forwarded-for',
  'idempotency-key',
  'webhook-id',
  'webhook-timestamp',
  'x-github-event',
  'x-github-delivery',
  'x-github-hook-id',
] as const;

const MAX_HEADER_CHARS = 512;

export type RequestHeaders = Record<string, string | string[] | undefined>;

export function auditedHeaders(headers: RequestHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of AUDITED_HEADERS) {
    const value = headerValue(headers, name);
    if (value !== undefined) kept[name] = value.slice(0, MAX_HEADER_CHARS);
  }
  return kept;
}

/** One header's value; a repeated header is joined the way HTTP folds it. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) return value.join(', ');
  return value === undefined || value === '' ? undefined : value;
}
