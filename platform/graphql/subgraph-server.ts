/**
 * Mounts a federation subgraph (built with @apollo/subgraph) at POST /graphql on a
 * service's fastify app, served by graphql-yoga. Errors from the service's registry keep
 * their message and `extensions.code`; anything else is masked.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, parse } from 'graphql';
import { type YogaServerInstance, createYoga } from 'graphql-yoga';

import { IDENTITY_HEADER, type IdentityVerifier } from '../auth/identity-token';
import type { Principal } from '../auth/principal';
import { AppError } from '../errors';
import { sendError } from '../http/server';
import type { Logger } from '../logger';
import { scalarResolvers } from './scalars';
import type { SubgraphContext } from './subgraph-context';

export interface SubgraphServerOptions {
  sdl: string;
  resolvers: object;
  log: Logger;
  /** @default /graphql */
  path?: string;
  /**
   * Verifies the gateway's signed identity on every request; a request without a valid one
   * gets 401 GATEWAY_IDENTITY_REQUIRED before any resolver runs.
   */
  identity: IdentityVerifier;
}

interface ServerContext {
  req: FastifyRequest;
  reply: FastifyReply;
}

export function mountSubgraph(
  app: FastifyInstance,
  options: SubgraphServerOptions,
): YogaServerInstance<ServerContext, SubgraphContext> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(options.sdl),
    resolvers: { ...scalarResolvers, ...options.resolvers } as GraphQLResolverMap<unknown>,
  });
  const principals = new WeakMap<FastifyRequest, Principal>();
  const yoga = createYoga<ServerContext, SubgraphContext>({
    schema,
    graphqlEndpoint: options.path ?? '/graphql',
    graphiql: false,
    landingPage: false,
    logging: options.log.child({ component: 'graphql' }),
    context: ({ req }) => ({
      requestId: req.id,
      log: req.log as Logger,
      headers: req.headers as Record<string, string | undefined>,
      principal: principals.get(req),
    }),
    maskedErrors: { maskError: maskUnexpectedError },
  });

  app.route({
    url: yoga.graphqlEndpoint,
    method: ['GET', 'POST', 'OPTIONS'],
    onRequest: async (req, reply) => {
      if (req.method === 'OPTIONS') return;
      const header = req.headers[IDENTITY_HEADER];
      try {
        principals.set(
          req,
          await options.identity.verify(Array.isArray(header) ? header[0] : header),
        );
      } catch (error) {
        if (error instanceof AppError) return sendError(reply, error, req.id);
        throw error;
      }
    },
    handler: (req, reply) => serveYoga(yoga, req, reply),
  });
  return yoga;
}

/** Hands a fastify request to yoga and copies its answer back (graphql-yoga's fastify recipe). */
export async function serveYoga<C extends object>(
  yoga: YogaServerInstance<ServerContext, C>,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
  response.headers.forEach((value, key) => {
    reply.header(key, value);
  });
  reply.status(response.status);
  reply.send(response.body);
  return reply;
}

export function maskUnexpectedError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof AppError) {
    const masked = original.toGraphQLError();
    return error instanceof GraphQLError
      ? new GraphQLError(masked.message, {
          nodes: error.nodes,
          ...(error.path ? { path: error.path } : {}),
          originalError: original,
          extensions: masked.extensions,
        })
      : masked;
  }
  // Validation and parse errors (no original error) are the client's and safe to show.
  if (error instanceof GraphQLError && !error.originalError) return error;
  return new GraphQLError(message, {
    ...(error instanceof GraphQLError
      ? { nodes: error.nodes, ...(error.path ? { path: error.path } : {}) }
      : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}
