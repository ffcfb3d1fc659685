/** The gateway's error registry. */
import { CommonErrors, type ErrorDefinition } from '../platform/errors';

export const GatewayErrors = {
  ...CommonErrors,
  SUBGRAPH_UNAVAILABLE: { code: 'SUBGRAPH_UNAVAILABLE', httpStatus: 503, retriable: true },
  SUPERGRAPH_NOT_LOADED: { code: 'SUPERGRAPH_NOT_LOADED', httpStatus: 503, retriable: true },
  SUBSCRIPTION_ARGUMENTS: { code: 'BAD_USER_INPUT', httpStatus: 400, retriable: false },
  SUBSCRIBER_TOO_SLOW: { code: 'SUBSCRIBER_TOO_SLOW', httpStatus: 503, retriable: true },
  RATE_LIMITED: { code: 'RATE_LIMITED', httpStatus: 429, retriable: true },
  RATE_LIMITER_UNAVAILABLE: { code: 'RATE_LIMITER_UNAVAILABLE', httpStatus: 503, retriable: true },
  MAX_COST_EXCEEDED: { code: 'MAX_COST_EXCEEDED', httpStatus: 400, retriable: false },
} as const satisfies Record<string, ErrorDefinition>;
