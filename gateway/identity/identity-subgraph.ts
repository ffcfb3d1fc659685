/**
 * The identity subgraph, served by the gateway process at /identity/graphql: API key
 * administration, the audit log and the viewer. It is a subgraph like the others (the
 * gateway reaches it over HTTP with the signed identity), so its fields compose, plan and
 * authorize like every other field. Resolvers check permissions again: the gateway's
 * schema rules are the first line, not the only one.
 */
import type { FastifyInstance } from 'fastify';

import { type ApiKeyRecord, PERMISSIONS, type Permission } from '../../platform/auth/api-keys';
import { requirePermissions } from '../../platform/auth/authenticator';
import type { ServiceAuth } from '../../platform/auth/service-auth';
import type { RevocationFeed } from '../../platform/auth/revocations';
import { AppError, CommonErrors, fieldErrors } from '../../platform/errors';
import { readSubgraphSdl } from '../../platform/graphql/compose';
import type { SubgraphContext } from '../../platform/graphql/subgraph-context';
import { mountSubgraph } from '../../platform/graphql/subgraph-server';
import type { Logger } from '../../platform/logger';
import { z } from 'zod';

export const IDENTITY_SUBGRAPH_PATH = '/identity/graphql';

const UUID = z.string().uuid();
const CreateApiKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length),
  expiresAt: z.coerce
    .date()
    .refine((date) => date.getTime() > Date.now(), 'must be in the future')
    .optional()
    .nullable(),
});

export async function mountIdentitySubgraph(
  app: FastifyInstance,
  deps: { auth: ServiceAuth; revocations: RevocationFeed; log: Logger },
): Promise<void> {
  const { auth } = deps;
  const caller = (context: SubgraphContext, required: Permission[]) => {
    if (!context.principal) throw new AppError(CommonErrors.UNAUTHENTICATED, 'No verified caller.');
    requirePermissions(context.principal, required);
    return context.principal;
  };

  mountSubgraph(app, {
    sdl: await readSubgraphSdl('identity'),
    path: IDENTITY_SUBGRAPH_PATH,
    log: deps.log,
    identity: auth.identity,
    resolvers: {
      Query: {
        viewer: (_: unknown, __: unknown, context: SubgraphContext) => {
          const principal = caller(context, []);
          return {
            kind: principal.kind,
            subject: principal.subject,
            name: principal.name,
            permissions: principal.permissions,
          };
        },
        apiKeys: async (
          _: unknown,
          args: { includeRevoked?: boolean },
          context: SubgraphContext,
        ) => {
          caller(context, ['admin:read']);
          return (await auth.keys.list({ includeRevoked: args.includeRevoked ?? false })).map(
            toGraphql,
          );
        },
        auditEvents: async (
          _: unknown,
          args: { filter?: AuditFilterInput | null },
          context: SubgraphContext,
        ) => {
          caller(context, ['admin:read']);
          const filter = args.filter ?? {};
          if (filter.keyId && !UUID.safeParse(filter.keyId).success) {
            throw new AppError(
              CommonErrors.VALIDATION_FAILED,
              'keyId must be a UUID.',
            ).toGraphQLError();
          }
          return auth.audit.query({
            ...(filter.action ? { action: filter.action } : {}),
            ...(filter.outcome === 'success' || filter.outcome === 'failure'
              ? { outcome: filter.outcome }
              : {}),
            ...(filter.keyId ? { keyId: filter.keyId } : {}),
            ...(filter.subject ? { subject: filter.subject } : {}),
            ...(filter.since ? { since: new Date(filter.since) } : {}),
            ...(filter.until ? { until: new Date(filter.until) } : {}),
            ...(filter.before && /^\d+$/.test(filter.before) ? { beforeId: filter.before } : {}),
            limit: filter.first ?? 50,
          });
        },
      },
      Mutation: {
        createApiKey: async (_: unknown, args: { input: unknown }, context: SubgraphContext) => {
          const principal = caller(context, ['admin:write']);
          const parsed = CreateApiKeyInput.safeParse(args.input);
          if (!parsed.success) {
            throw new AppError(CommonErrors.VALIDATION_FAILED, 'The API key input is not valid.', {
              field_errors: fieldErrors(parsed.error.issues),
            }).toGraphQLError();
          }
          const created = await auth.keys.create({
            name: parsed.data.name,
            permissions: parsed.data.permissions,
            ...(parsed.data.expiresAt ? { expiresAt: parsed.data.expiresAt } : {}),
          });
          auth.audit.record({
            action: 'api_key.create',
            outcome: 'success',
            actorKind: principal.kind,
            subject: principal.subject,
            requestId: context.requestId,
            detail: {
              created_key_id: created.id,
              name: parsed.data.name,
              permissions: parsed.data.permissions,
            },
          });
          return {
            key: created.key,
            apiKey: toGraphql((await auth.keys.get(created.id)) as ApiKeyRecord),
          };
        },
        revokeApiKey: async (_: unknown, args: { id: string }, context: SubgraphContext) => {
          const principal = caller(context, ['admin:write']);
          if (!UUID.safeParse(args.id).success) {
            throw new AppError(
              CommonErrors.VALIDATION_FAILED,
              'id must be a UUID.',
            ).toGraphQLError();
          }
          if (!(await auth.keys.get(args.id)))
            throw new AppError(CommonErrors.NOT_FOUND, `No API key ${args.id}.`).toGraphQLError();
          await auth.keys.revoke(args.id);
          await deps.revocations.publish(args.id);
          auth.audit.record({
            action: 'api_key.revoke',
            outcome: 'success',
            actorKind: principal.kind,
            subject: principal.subject,
            requestId: context.requestId,
            detail: { revoked_key_id: args.id },
          });
          return toGraphql((await auth.keys.get(args.id)) as ApiKeyRecord);
        },
      },
    },
  });
}

interface AuditFilterInput {
  action?: string | null;
  outcome?: string | null;
  keyId?: string | null;
  subject?: string | null;
  since?: string | null;
  until?: string | null;
  before?: string | null;
  first?: number | null;
}

function toGraphql(record: ApiKeyRecord) {
  return {
    ...record,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
  };
}
