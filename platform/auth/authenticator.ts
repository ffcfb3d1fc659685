/**
 * Turns request headers into a verified identity, with a short cache so the hot path
 * does not query PostgreSQL on every request. A revoked key stops working within
 * `cacheTtlMs` on every replica.
 */
import { AppError, CommonErrors } from '../errors';
import { type ApiKeyIdentity, type ApiKeyStore, type Permission, type ApiKeyVerification, extractApiKey, hashApiKey } from './api-keys';

export interface AuthenticatorOptions {
  /** @default 5000 */
  cacheTtlMs?: number;
  /** @default 10000 */
  maxCachedKeys?: number;
}

export class Authenticator {
  private readonly cache = new Map<string, { verification: ApiKeyVerification; expiresAt: number }>();
  private readonly cacheTtlMs: number;
  private readonly maxCachedKeys: number;

  constructor(
    private readonly store: ApiKeyStore,
    options: AuthenticatorOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
    this.maxCachedKeys = options.maxCachedKeys ?? 10_000;
  }

  /** Throws 401 INVALID_API_KEY unless the headers carry a valid key. */
  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<ApiKeyIdentity> {
    const key = extractApiKey(headers);
    if (!key) {
      throw new AppError(CommonErrors.UNAUTHENTICATED, 'Send an API key as X-API-Key or Authorization: Bearer.');
    }
    const verification = await this.verifyCached(key);
    if (!verification.ok) {
      throw new AppError(CommonErrors.UNAUTHENTICATED, `The API key is ${verification.reason === 'unknown' ? 'not valid' : verification.reason}.`);
    }
    return verification.identity;
  }

  private async verifyCached(key: string): Promise<ApiKeyVerification> {
    const cacheKey = hashApiKey(key);
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.verification;
    const verification = await this.store.verify(key);
    if (this.cache.size >= this.maxCachedKeys) this.cache.clear();
    this.cache.set(cacheKey, { verification, expiresAt: Date.now() + this.cacheTtlMs });
    return verification;
  }
}

/** Throws 403 INSUFFICIENT_PERMISSIONS naming what is missing. */
export function requirePermissions(identity: ApiKeyIdentity, required: readonly Permission[]): void {
  const missing = required.filter((permission) => !identity.permissions.includes(permission));
  if (missing.length > 0) {
    throw new AppError(CommonErrors.FORBIDDEN, `This API key lacks ${missing.join(', ')}.`, {
      required_permissions: required,
      current_permissions: identity.permissions,
    });
  }
}
