/**
 * Admin routes for reputations:
 *   GET    /admin/v1/rate-limits/reputation/:keyId   (admin:read)  -> the score and the limit it gives
 *   DELETE /admin/v1/rate-limits/reputation/:keyId   (admin:write) -> back to the initial score
 * The caller authenticates with an API key like any other request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { AppError, CommonErrors } from '../../platform/errors';
import type { LimiterStore } from '../../platform/rate-limit/limiter-store';
import { INITIAL_REPUTATION, adaptiveLimit } from '../../platform/rate-limit/reputation';

export interface AdminVerifier {
  authenticate(
    headers: Record<string, string | string[] | undefined>,
  ): Promise<{ keyId: string; permissions: readonly string[] }>;
}

export function registerReputationAdminRoutes(
  app: FastifyInstance,
  options: { store: LimiterStore; authenticator: AdminVerifier; baseKeyLimitPerMinute: number },
): void {
  const describe = (keyId: string, stored: number | undefined) => {
    const reputation = stored ?? INITIAL_REPUTATION;
    return {
      key_id: keyId,
      reputation,
      stored: stored !== undefined,
      key_limit_per_minute: adaptiveLimit(options.baseKeyLimitPerMinute, reputation),
    };
  };

  app.get<{ Params: { keyId: string } }>('/admin/v1/rate-limits/reputation/:keyId', async (req) => {
    await requireAdmin(req, options.authenticator, 'admin:read');
    return describe(req.params.keyId, await options.store.readReputation(req.params.keyId));
  });

  app.delete<{ Params: { keyId: string } }>(
    '/admin/v1/rate-limits/reputation/:keyId',
    async (req) => {
      await requireAdmin(req, options.authenticator, 'admin:write');
      await options.store.resetReputation(req.params.keyId);
      return describe(req.params.keyId, undefined);
    },
  );
}

async function requireAdmin(
  req: FastifyRequest,
  authenticator: AdminVerifier,
  permission: string,
): Promise<void> {
  const known = (req as { identity?: { keyId: string; permissions: readonly string[] } }).identity;
  const identity = known ?? (await authenticator.authenticate(req.headers));
  if (!identity.permissions.includes(permission)) {
    throw new AppError(CommonErrors.FORBIDDEN, `This API key lacks ${permission}.`, {
      required_permissions: [permission],
      current_permissions: identity.permissions,
    });
  }
}
