/**
 * Resolvers of the hooks subgraph: hookEvent, hookEvents (newest first, keyset cursors),
 * the HookEvent entity, and receiveHook, which runs the same intake as the REST route.
 */
import { asDatabaseError, type Database } from '../../../platform/db/pool';
import { AppError } from '../../../platform/errors';
import { HookErrors } from '../errors';
import type { Resolvers } from '../generated/resolvers';
import type { HookEventStatus as GraphQLStatus } from '../generated/resolvers';
import { correlationIdOf, writerFrom } from '../intake/caller';
import { headerValue } from '../intake/delivery-audit';
import type { HookIntake } from '../intake/hook-intake';
import { decodeCursor, encodeCursor } from '../store/event-cursor';
import { type HookEventStatus, listHookEvents } from '../store/hook-event-store';
import { createLoaderCache } from './hook-loaders';

export interface HookResolverOptions {
  db: Database;
  intake: HookIntake;
}

const MAX_PAGE_SIZE = 100;

export function createHookResolvers(options: HookResolverOptions): Resolvers {
  const loaders = createLoaderCache(options.db);

  // TODO(issue 3): require hooks:read on reads once the gateway signs the caller's identity
  // for subgraph GraphQL; until then only the mutation (which writes) checks a key.
  return {
    Query: {
      hookEvent: (_parent, { id }, context) => loaders(context).events.load(id).catch(unavailable),
      hookEvents: async (_parent, { filter, first, after }) => {
        const pageSize = first ?? 20;
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
          throw new AppError(
            HookErrors.VALIDATION_FAILED,
            `first must be between 1 and ${MAX_PAGE_SIZE}.`,
            {
              field_errors: { first: `must be between 1 and ${MAX_PAGE_SIZE}` },
            },
          );
        }
        const rows = await listHookEvents(options.db, {
          filter: {
            source: filter?.source ?? undefined,
            action: filter?.action ?? undefined,
            status: filter?.status ? toStoredStatus(filter.status) : undefined,
            receivedAfter: filter?.receivedAfter ? new Date(filter.receivedAfter) : undefined,
            receivedBefore: filter?.receivedBefore ? new Date(filter.receivedBefore) : undefined,
          },
          // One extra row tells whether another page exists without a count query.
          limit: pageSize + 1,
          after: after ? decodeCursor(after) : undefined,
        }).catch(unavailable);
        const page = rows.slice(0, pageSize);
        const edges = page.map((node) => ({ node, cursor: encodeCursor(node) }));
        return {
          edges,
          pageInfo: {
            hasNextPage: rows.length > pageSize,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    Mutation: {
      receiveHook: async (_parent, { input }, context) => {
        // The gateway verified the caller and signed it into the request; the schema rule
        // already demanded hooks:write, and this checks again.
        const caller = writerFrom(context.principal);
        const accepted = await options.intake.receive({
          body: {
            source: input.source,
            action: input.action,
            resource: input.resource,
            resource_id: input.resourceId,
            ...(input.data === undefined || input.data === null ? {} : { data: input.data }),
          },
          rawBody: undefined,
          headers: context.headers,
          sourceIp: headerValue(context.headers, 'x-forwarded-for')?.split(',')[0]?.trim() ?? null,
          caller,
          correlationId: correlationIdOf(context.headers, context.requestId),
          idempotencyKey: input.idempotencyKey ?? undefined,
        });
        const event = await loaders(context).events.load(accepted.eventId);
        if (!event)
          throw new AppError(HookErrors.INTERNAL, 'The accepted event could not be read back.');
        return { eventId: accepted.eventId, status: accepted.status, event };
      },
    },
    HookEvent: {
      __resolveReference: (reference, context) =>
        loaders(context).events.load(reference.id).catch(unavailable),
      status: (event) => toGraphQLStatus(event.status),
      receivedAt: (event) => event.receivedAt.toISOString(),
      publishedAt: (event) => event.publishedAt?.toISOString() ?? null,
      history: (event, _args, context) =>
        loaders(context).history.load(event.id).catch(unavailable),
    },
    HookEventStatusChange: {
      status: (change) => toGraphQLStatus(change.status),
      at: (change) => change.at.toISOString(),
      detail: (change) => change.detail ?? null,
    },
  };
}

function toGraphQLStatus(status: HookEventStatus): GraphQLStatus {
  return status.toUpperCase() as GraphQLStatus;
}

function toStoredStatus(status: GraphQLStatus): HookEventStatus {
  return status.toLowerCase() as HookEventStatus;
}

function unavailable(error: unknown): never {
  throw asDatabaseError(error);
}
