/**
 * The authentication parts one service needs, built the same way everywhere: the key
 * store, the authenticator (API keys, JWT when configured, the revocation feed), the
 * audit log, and the verifier of the gateway's signed identity.
 */
import type { ServiceName } from '../config';
import type { Database } from '../db/pool';
import { AuditLog } from '../audit/audit-log';
import type { Runtime } from '../runtime';
import { ApiKeyStore } from './api-keys';
import { Authenticator } from './authenticator';
import { IdentityVerifier } from './identity-token';
import { JwtVerifier } from './jwt-verifier';

export interface ServiceAuth {
  keys: ApiKeyStore;
  authenticator: Authenticator;
  audit: AuditLog;
  identity: IdentityVerifier;
  close(): Promise<void>;
}

export function createServiceAuth(
  runtime: Runtime,
  db: Database,
  service: ServiceName,
): ServiceAuth {
  const keys = new ApiKeyStore(db);
  const audit = new AuditLog(db, service, runtime.log.child({ service, component: 'audit' }));
  const jwt = runtime.config.auth.jwt ? new JwtVerifier(runtime.config.auth.jwt) : undefined;
  const authenticator = new Authenticator(keys, {
    audit,
    revocations: runtime.revocations,
    cacheTtlMs: runtime.config.auth.apiKeyCacheTtlMs,
    ...(jwt ? { jwt } : {}),
  });
  return {
    keys,
    authenticator,
    audit,
    identity: new IdentityVerifier(runtime.identitySecret),
    async close() {
      authenticator.close();
      await audit.flush();
    },
  };
}
