/**
 * GET /metrics is open by default (scrapers usually sit inside the network); with
 * METRICS_REQUIRE_AUTH it needs a credential holding admin:read.
 */
import type { FastifyInstance } from 'fastify';

import type { Authenticator } from '../auth/authenticator';
import { requirePermissions } from '../auth/authenticator';
import { AppError } from '../errors';
import { sendError } from './server';

export function protectMetrics(
  app: FastifyInstance,
  authenticator: Authenticator,
  required: boolean,
): void {
  if (!required) return;
  app.addHook('onRequest', async (request, reply) => {
    if (request.url !== '/metrics' && !request.url.startsWith('/metrics?')) return;
    try {
      const principal = await authenticator.authenticate(request.headers, {
        ip: request.ip,
        route: '/metrics',
        requestId: request.id,
      });
      requirePermissions(principal, ['admin:read']);
    } catch (error) {
      if (error instanceof AppError) return sendError(reply, error, request.id);
      throw error;
    }
  });
}
