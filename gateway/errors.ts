/** The gateway's error registry. */
import { CommonErrors, type ErrorDefinition } from '../platform/errors';

export const GatewayErrors = {
  ...CommonErrors,
  SUBGRAPH_UNAVAILABLE: { code: 'SUBGRAPH_UNAVAILABLE', httpStatus: 503, retriable: true },
  SUPERGRAPH_NOT_LOADED: { code: 'SUPERGRAPH_NOT_LOADED', httpStatus: 503, retriable: true },
  SUBSCRIPTION_ARGUMENTS: { code: 'BAD_USER_INPUT', httpStatus: 400, retriable: false },
  SUBSCRIBER_TOO_SLOW: { code: 'SUBSCRIBER_TOO_SLOW', httpStatus: 503, retriable: true },
} as const satisfies Record<string, ErrorDefinition>;
