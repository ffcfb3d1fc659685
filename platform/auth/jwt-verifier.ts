/**
 * Verifies JWT bearer tokens with jose: signature against a JWKS URL or a configured key,
 * algorithms pinned (so `alg: none` and HS/RS confusion are refused before any key is
 * used), exp and nbf with a small clock tolerance, audience and issuer required.
 * Permissions come from the `scope` claim (space-separated) or `scp` (array).
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';

import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, errors, jwtVerify } from 'jose';

import type { JwtConfig } from '../config';
import { AppError, CommonErrors } from '../errors';
import type { Permission } from './api-keys';
import { PERMISSIONS } from './api-keys';
import type { Principal } from './principal';

export type JwtRejection =
  'expired' | 'not_yet_valid' | 'bad_signature' | 'bad_claims' | 'bad_algorithm' | 'malformed';

export class JwtVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;

  constructor(private readonly config: JwtConfig) {
    const symmetric = config.algorithms.filter((algorithm) => algorithm.startsWith('HS'));
    if (
      config.key.kind === 'secret'
        ? symmetric.length !== config.algorithms.length
        : symmetric.length > 0
    ) {
      // Mixing HMAC with public-key algorithms is how HS/RS confusion attacks start.
      throw new Error(
        `JWT_ALGORITHMS ${config.algorithms.join(',')} do not match the key: HS* go with JWT_SECRET only, the others with JWT_JWKS_URL or JWT_PUBLIC_KEY`,
      );
    }
    switch (config.key.kind) {
      case 'jwks':
        this.key = createRemoteJWKSet(new URL(config.key.url), {
          cooldownDuration: 30_000,
          cacheMaxAge: 600_000,
        });
        break;
      case 'public-key':
        this.key = createPublicKey(config.key.pem);
        break;
      case 'secret':
        this.key = createSecretKey(Buffer.from(config.key.secret));
        break;
    }
  }

  /** Throws 401 INVALID_TOKEN with the reason in `details.reason`. */
  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const options = {
        algorithms: this.config.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      };
      // jose's overloads split on the key's type; both branches take the same options.
      payload =
        typeof this.key === 'function'
          ? (await jwtVerify(token, this.key, options)).payload
          : (await jwtVerify(token, this.key, options)).payload;
    } catch (error) {
      throw new AppError(
        CommonErrors.INVALID_TOKEN,
        `The bearer token was refused: ${describe(rejectionOf(error))}.`,
        { reason: rejectionOf(error) },
        { cause: error },
      );
    }
    const subject = payload.sub as string;
    return {
      kind: 'jwt',
      keyId: `jwt:${subject}`,
      subject,
      name: typeof payload['name'] === 'string' ? payload['name'] : subject,
      permissions: permissionsOf(payload),
      expiresAtMs: (payload.exp as number) * 1000,
    };
  }
}

/** A JWT has three base64url parts; API keys start with `onb_`. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}

function permissionsOf(payload: JWTPayload): Permission[] {
  const scope = payload['scope'];
  const scp = payload['scp'];
  const granted =
    typeof scope === 'string' ? scope.split(' ') : Array.isArray(scp) ? scp.map(String) : [];
  // Unknown scopes are dropped: only the registry's permissions mean anything here.
  return granted.filter((permission): permission is Permission =>
    (PERMISSIONS as readonly string[]).includes(permission),
  );
}

function rejectionOf(error: unknown): JwtRejection {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return error.claim === 'nbf' ? 'not_yet_valid' : 'bad_claims';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'bad_algorithm';
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey
  )
    return 'bad_signature';
  return 'malformed';
}

function describe(rejection: JwtRejection): string {
  switch (rejection) {
    case 'expired':
      return 'it has expired';
    case 'not_yet_valid':
      return 'it is not valid yet';
    case 'bad_signature':
      return 'its signature does not verify';
    case 'bad_claims':
      return 'its issuer, audience or required claims do not match';
    case 'bad_algorithm':
      return 'its algorithm is not accepted';
    case 'malformed':
      return 'it is not a well-formed JWT';
  }
}
