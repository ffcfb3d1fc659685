/** The GraphQL context of a gateway request, over HTTP, SSE or graphql-ws. */
import type { Principal } from '../platform/auth/principal';
import type { Logger } from '../platform/logger';

export interface GatewayContext {
  requestId: string;
  log: Logger;
  identity: Principal | undefined;
  /** The credential headers the identity was verified from, for re-checks on long subscriptions. */
  credentials: Record<string, string | string[] | undefined>;
  /** The identity signed for the subgraphs (x-omninode-identity). */
  identityToken: string | undefined;
  /** The caller's headers the subgraphs need (credentials, request and correlation ids). */
  headers: Record<string, string | undefined>;
}
