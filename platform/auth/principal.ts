/** Who is calling, once verified: an API key or a JWT subject, and what they may do. */
import type { ApiKeyIdentity } from './api-keys';

export interface Principal extends ApiKeyIdentity {
  kind: 'api_key' | 'jwt';
  /** Key id for API keys, the `sub` claim for tokens. */
  subject: string;
  /** When the credential stops being valid (token exp, key expiry), in epoch milliseconds. */
  expiresAtMs: number | undefined;
}
