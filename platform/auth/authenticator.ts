/**
 * Turns request headers into a verified Principal: an API key (`X-API-Key`, or
 * `Authorization: Bearer onb_…`) or, when JWT is configured, a bearer token. Every
 * outcome is written to the audit log. Verified keys are cached briefly so the hot path
 * does not query PostgreSQL on every request; a revocation clears the cache on every
 * replica through the revocation feed, and cache expiry bounds it when the feed is down.
 */
import { AppError, CommonErrors } from '../errors';
import type { AuditLog } from '../audit/audit-log';
import {
  type ApiKeyStore,
  type ApiKeyVerification,
  type Permission,
  extractApiKey,
  hashApiKey,
} from './api-keys';
import { type JwtVerifier, looksLikeJwt } from './jwt-verifier';
import type { Principal } from './principal';
import type { RevocationFeed } from './revocations';

export type RequestHeaders = Record<string, string | string[] | undefined>;

/** Where a request came from, for the audit log. */
export interface RequestContext {
  ip?: string;
  route?: string;
  operation?: string;
  requestId?: string;
  workflowId?: string;
}

export interface AuthenticatorOptions {
  jwt?: JwtVerifier;
  audit?: AuditLog;
  revocations?: RevocationFeed;
  /** @default 5000 */
  cacheTtlMs?: number;
  /** @default 10000 */
  maxCachedKeys?: number;
}

interface CachedVerification {
  verification: ApiKeyVerification;
  expiresAt: number;
}

export class Authenticator {
  private readonly cache = new Map<string, CachedVerification>();
  private readonly cacheTtlMs: number;
  private readonly maxCachedKeys: number;
  private readonly stopListening: (() => void) | undefined;

  constructor(
    private readonly store: ApiKeyStore,
    private readonly options: AuthenticatorOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
    this.maxCachedKeys = options.maxCachedKeys ?? 10_000;
    this.stopListening = options.revocations?.onRevoked((keyId) => this.forgetKey(keyId));
  }

  /** Throws 401 (INVALID_API_KEY or INVALID_TOKEN) unless the headers carry a valid credential. */
  async authenticate(headers: RequestHeaders, context: RequestContext = {}): Promise<Principal> {
    try {
      const principal = await this.verify(headers);
      this.options.audit?.record({
        action: 'authenticate',
        outcome: 'success',
        actorKind: principal.kind,
        ...(principal.kind === 'api_key' ? { keyId: principal.keyId } : {}),
        subject: principal.subject,
        ...context,
      });
      return principal;
    } catch (error) {
      if (error instanceof AppError && error.httpStatus === 401) {
        this.options.audit?.record({
          action: 'authenticate',
          outcome: 'failure',
          reason: String(error.details['reason'] ?? error.code),
          ...(typeof error.details['key_id'] === 'string'
            ? { keyId: error.details['key_id'] }
            : {}),
          ...context,
        });
        // The key id helped the audit entry; the caller does not need it.
        delete error.details['key_id'];
      }
      throw error;
    }
  }

  /**
   * Whether the credential in these headers still verifies (long-lived connections call
   * this periodically). Not audited: the connection's authentication already was.
   */
  async stillValid(headers: RequestHeaders): Promise<boolean> {
    try {
      const principal = await this.verify(headers);
      return principal.expiresAtMs === undefined || principal.expiresAtMs > Date.now();
    } catch {
      return false;
    }
  }

  /**
   * Who the headers claim to be, verified but not audited, or undefined: for steps that
   * only need to attribute a request (rate limiting a route whose owner authenticates and
   * audits it), so each request is audited once.
   */
  async identify(headers: RequestHeaders): Promise<Principal | undefined> {
    try {
      return await this.verify(headers);
    } catch {
      return undefined;
    }
  }

  /** Called with a key id whenever any replica revokes a key. */
  onRevoked(listener: (keyId: string) => void): () => void {
    return this.options.revocations?.onRevoked(listener) ?? (() => undefined);
  }

  close(): void {
    this.stopListening?.();
  }

  private async verify(headers: RequestHeaders): Promise<Principal> {
    const apiKey = extractApiKey(headers);
    if (apiKey) return this.verifyApiKey(apiKey);
    const bearer = bearerToken(headers);
    if (bearer && this.options.jwt && looksLikeJwt(bearer)) return this.options.jwt.verify(bearer);
    throw new AppError(
      CommonErrors.UNAUTHENTICATED,
      'Send an API key as X-API-Key or Authorization: Bearer.',
      {
        reason: bearer ? 'unrecognised_credential' : 'missing_credential',
      },
    );
  }

  private async verifyApiKey(key: string): Promise<Principal> {
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    let verification: ApiKeyVerification;
    if (cached && cached.expiresAt > Date.now()) {
      verification = cached.verification;
    } else {
      verification = await this.store.verify(key);
      if (this.cache.size >= this.maxCachedKeys) this.cache.clear();
      this.cache.set(hash, { verification, expiresAt: Date.now() + this.cacheTtlMs });
    }
    if (!verification.ok) {
      throw new AppError(
        CommonErrors.UNAUTHENTICATED,
        `The API key is ${verification.reason === 'unknown' ? 'not valid' : verification.reason}.`,
        {
          reason: `key_${verification.reason}`,
          ...(verification.keyId ? { key_id: verification.keyId } : {}),
        },
      );
    }
    return {
      ...verification.identity,
      kind: 'api_key',
      subject: verification.identity.keyId,
      expiresAtMs: verification.expiresAtMs,
    };
  }

  private forgetKey(keyId: string): void {
    for (const [hash, entry] of this.cache) {
      if (!entry.verification.ok || entry.verification.identity.keyId === keyId)
        this.cache.delete(hash);
    }
  }
}

function bearerToken(headers: RequestHeaders): string | undefined {
  const authorization = headers['authorization'];
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match?.[1];
}

/** Throws 403 INSUFFICIENT_PERMISSIONS naming what is missing. */
export function requirePermissions(
  identity: { permissions: readonly Permission[] },
  required: readonly Permission[],
): void {
  const missing = required.filter((permission) => !identity.permissions.includes(permission));
  if (missing.length > 0) {
    throw new AppError(CommonErrors.FORBIDDEN, `This credential lacks ${missing.join(', ')}.`, {
      required_permissions: required,
      current_permissions: identity.permissions,
    });
  }
}
