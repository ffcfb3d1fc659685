/** The GraphQL context of a gateway request, over HTTP, SSE or graphql-ws. */
import type { ApiKeyIdentity } from '../platform/auth/api-keys';
import type { Logger } from '../platform/logger';

export interface GatewayContext {
  requestId: string;
  log: Logger;
  identity: ApiKeyIdentity | undefined;
  /** The caller's headers the subgraphs need (credentials, request and correlation ids). */
  headers: Record<string, string | undefined>;
}
