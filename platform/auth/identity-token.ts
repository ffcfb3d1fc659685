/**
 * The identity the gateway passes to subgraphs: after authenticating a request once, the
 * gateway signs who the caller is and what they may do into a short-lived HS256 token in
 * the `x-omninode-identity` header. Subgraphs verify it and refuse GraphQL requests
 * without it, so a caller cannot skip the gateway's checks by calling a subgraph directly.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';

import { SignJWT, jwtVerify } from 'jose';

import { AppError, CommonErrors } from '../errors';
import type { Permission } from './api-keys';
import type { Principal } from './principal';

export const IDENTITY_HEADER = 'x-omninode-identity';

const ISSUER = 'omninode-gateway';
const AUDIENCE = 'omninode-subgraphs';
const LIFETIME_SECONDS = 60;
/** A signed token is reused for this long (well inside its lifetime) to keep signing off the hot path. */
const REUSE_MS = 20_000;

export class IdentitySigner {
  private readonly key: KeyObject;
  private readonly cache = new Map<string, { token: string; reuseUntil: number }>();

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret));
  }

  async sign(principal: Principal): Promise<string> {
    const cacheKey = `${principal.keyId}|${principal.permissions.join(',')}|${principal.expiresAtMs ?? ''}`;
    const cached = this.cache.get(cacheKey);
    if (cached && cached.reuseUntil > Date.now()) return cached.token;

    const nowSeconds = Math.floor(Date.now() / 1000);
    const credentialExpiry = principal.expiresAtMs
      ? Math.floor(principal.expiresAtMs / 1000)
      : Infinity;
    const token = await new SignJWT({
      kid: principal.keyId,
      kind: principal.kind,
      name: principal.name,
      perms: principal.permissions,
      cexp: principal.expiresAtMs ?? null,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(principal.subject)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(Math.min(nowSeconds + LIFETIME_SECONDS, credentialExpiry))
      .sign(this.key);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { token, reuseUntil: Date.now() + REUSE_MS });
    return token;
  }
}

export class IdentityVerifier {
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret));
  }

  /** Throws 401 GATEWAY_IDENTITY_REQUIRED unless the header holds a valid gateway identity. */
  async verify(header: string | undefined): Promise<Principal> {
    if (!header) {
      throw new AppError(
        CommonErrors.GATEWAY_IDENTITY_REQUIRED,
        'This subgraph answers GraphQL only through the gateway; send the request to the gateway.',
      );
    }
    try {
      const { payload } = await jwtVerify(header, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      return {
        kind: payload['kind'] === 'jwt' ? 'jwt' : 'api_key',
        keyId: String(payload['kid']),
        subject: String(payload.sub),
        name: String(payload['name']),
        permissions: (payload['perms'] as Permission[]) ?? [],
        expiresAtMs: typeof payload['cexp'] === 'number' ? payload['cexp'] : undefined,
      };
    } catch (error) {
      throw new AppError(
        CommonErrors.GATEWAY_IDENTITY_REQUIRED,
        'The gateway identity on this request is not valid.',
        {},
        { cause: error },
      );
    }
  }
}
