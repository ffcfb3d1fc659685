/**
 * Every error code the hooks subgraph answers with, in one place. REST maps them to the
 * JSON error shape and GraphQL to `extensions.code` (platform/errors.ts).
 */
import { CommonErrors, type ErrorDefinition } from '../../platform/errors';

export const HookErrors = {
  ...CommonErrors,
  /** The same idempotency key came back with a different payload. */
  IDEMPOTENCY_KEY_REUSED: { code: 'IDEMPOTENCY_KEY_REUSED', httpStatus: 422, retriable: false },
  /** The source requires a signature and this one is missing, wrong or outside the tolerance. */
  INVALID_SIGNATURE: { code: 'INVALID_SIGNATURE', httpStatus: 401, retriable: false },
  /** A signed delivery that was already accepted, sent again. */
  SIGNATURE_REPLAYED: { code: 'SIGNATURE_REPLAYED', httpStatus: 401, retriable: false },
  HOOK_EVENT_NOT_FOUND: { code: 'HOOK_EVENT_NOT_FOUND', httpStatus: 404, retriable: false },
} as const satisfies Record<string, ErrorDefinition>;
