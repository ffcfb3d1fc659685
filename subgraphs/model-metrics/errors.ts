/**
 * Every error code the model-metrics service answers with. Inference errors carry the
 * HTTP status of the REST route and the GraphQL `extensions.code`; provider failures are
 * 502/503/504 so a caller (the workflow task engine) can tell "retry later" from "fix the
 * request".
 */
import { CommonErrors, type ErrorDefinition } from '../../platform/errors';

export const ModelMetricsErrors = {
  ...CommonErrors,
  UNKNOWN_TASK_TYPE: { code: 'UNKNOWN_TASK_TYPE', httpStatus: 400, retriable: false },
  UNKNOWN_MODEL: { code: 'UNKNOWN_MODEL', httpStatus: 404, retriable: false },
  MODEL_TASK_MISMATCH: { code: 'MODEL_TASK_MISMATCH', httpStatus: 400, retriable: false },
  EMPTY_INPUT: { code: 'EMPTY_INPUT', httpStatus: 400, retriable: false },
  INPUT_TOO_LARGE: { code: 'INPUT_TOO_LARGE', httpStatus: 413, retriable: false },
  /** The provider refused the request (its 4xx): retrying the same input will not help. */
  PROVIDER_REJECTED: { code: 'PROVIDER_REJECTED', httpStatus: 502, retriable: false },
  /** The provider failed (its 5xx or a network error). */
  PROVIDER_UNAVAILABLE: { code: 'PROVIDER_UNAVAILABLE', httpStatus: 503, retriable: true },
  /** The provider answered something that is not a valid reply of its protocol. */
  PROVIDER_BAD_REPLY: { code: 'PROVIDER_BAD_REPLY', httpStatus: 502, retriable: true },
  INFERENCE_TIMEOUT: { code: 'INFERENCE_TIMEOUT', httpStatus: 504, retriable: true },
} as const satisfies Record<string, ErrorDefinition>;
