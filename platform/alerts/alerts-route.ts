/**
 * GET /admin/v1/alerts: the service's recent alerts (newest first) and those still
 * firing, for callers with admin:read. Each service answers for its own alerts; through
 * the gateway, /admin/v1/alerts answers the gateway's.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { type Authenticator, requirePermissions } from '../auth/authenticator';
import { toAlertmanagerAlert } from './alertmanager-sink';
import type { Alert } from './alert';
import type { AlertManager } from './alert-manager';

const Query = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export function registerAlertsRoute(
  app: FastifyInstance,
  deps: { alerts: AlertManager; authenticator: Authenticator },
): void {
  app.get('/admin/v1/alerts', async (request) => {
    const identity = await deps.authenticator.authenticate(request.headers);
    requirePermissions(identity, ['admin:read']);
    const { limit } = Query.parse(request.query ?? {});
    return {
      active: deps.alerts.active().map(alertToRest),
      recent: deps.alerts.recent(limit).map(alertToRest),
    };
  });
}

function alertToRest(alert: Alert) {
  const { labels, annotations, startsAt, endsAt } = toAlertmanagerAlert(alert);
  return {
    name: alert.name,
    status: alert.status,
    severity: alert.severity,
    labels,
    annotations,
    starts_at: startsAt,
    ends_at: endsAt ?? null,
  };
}
