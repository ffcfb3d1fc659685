/** What every subgraph resolver receives as context. */
import type { Principal } from '../auth/principal';
import type { Logger } from '../logger';

export interface SubgraphContext {
  requestId: string;
  log: Logger;
  /** Headers forwarded by the gateway (credentials, correlation id). */
  headers: Record<string, string | undefined>;
  /** The caller, as the gateway verified and signed it. */
  principal: Principal | undefined;
}
