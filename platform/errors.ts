/**
 * The base of every service's error registry. Each service lists its codes in one
 * `errors.ts`; an AppError carries the HTTP status, the GraphQL `extensions.code` and
 * whether retrying may help, so transports map errors without knowing each kind.
 */
import { types } from 'node:util';

import { GraphQLError } from 'graphql';

export interface ErrorDefinition {
  code: string;
  httpStatus: number;
  /** True when the same request may succeed later (dependency outage, timeout). */
  retriable: boolean;
}

export class AppError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly retriable: boolean;
  /** Extra fields for the JSON body and `extensions` (e.g. `field_errors`, `retry_after`). */
  readonly details: Record<string, unknown>;

  constructor(
    definition: ErrorDefinition,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.code = definition.code;
    this.httpStatus = definition.httpStatus;
    this.retriable = definition.retriable;
    this.details = details;
  }

  /** Seconds a client should wait before retrying, when the error says so. */
  get retryAfterSeconds(): number | undefined {
    const value = this.details['retry_after'];
    return typeof value === 'number' ? value : undefined;
  }

  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, {
      originalError: this,
      extensions: { code: this.code, ...this.details },
    });
  }
}

/** Codes every service shares; a service's own registry spreads these in. */
export const CommonErrors = {
  BAD_REQUEST: { code: 'BAD_REQUEST', httpStatus: 400, retriable: false },
  VALIDATION_FAILED: { code: 'VALIDATION_FAILED', httpStatus: 400, retriable: false },
  UNAUTHENTICATED: { code: 'INVALID_API_KEY', httpStatus: 401, retriable: false },
  INVALID_TOKEN: { code: 'INVALID_TOKEN', httpStatus: 401, retriable: false },
  GATEWAY_IDENTITY_REQUIRED: {
    code: 'GATEWAY_IDENTITY_REQUIRED',
    httpStatus: 401,
    retriable: false,
  },
  FORBIDDEN: { code: 'INSUFFICIENT_PERMISSIONS', httpStatus: 403, retriable: false },
  NOT_FOUND: { code: 'NOT_FOUND', httpStatus: 404, retriable: false },
  PAYLOAD_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', httpStatus: 415, retriable: false },
  DATABASE_UNAVAILABLE: { code: 'DATABASE_UNAVAILABLE', httpStatus: 503, retriable: true },
  /** Every pooled connection stayed busy for the whole acquisition timeout. */
  POOL_EXHAUSTED: { code: 'POOL_EXHAUSTED', httpStatus: 503, retriable: true },
  DEPENDENCY_UNAVAILABLE: { code: 'DEPENDENCY_UNAVAILABLE', httpStatus: 503, retriable: true },
  INTERNAL: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, retriable: false },
} as const satisfies Record<string, ErrorDefinition>;

/** Turns zod-style issues into `{ field: message }` for field-level 400 answers. */
export function fieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const issue of issues) {
    const field = issue.path.map(String).join('.') || '(body)';
    result[field] ??= issue.message;
  }
  return result;
}

/** Failures of PostgreSQL connectivity (as opposed to a bad statement) surface as 503. */
export function isConnectionError(error: unknown): boolean {
  // isNativeError too: errors made by Node's own net module fail `instanceof Error` inside
  // jest's sandbox (another realm), which turned ECONNREFUSED into a 500 in tests.
  if (!(error instanceof Error) && !types.isNativeError(error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // Node socket errors and PostgreSQL class 08 (connection exception) and 57P0x (shutdown).
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code))
      return true;
    if (code.startsWith('08') || code.startsWith('57P0')) return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}
