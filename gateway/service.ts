/**
 * The gateway: one GraphQL endpoint over the three subgraphs (queries and mutations
 * through @apollo/gateway; subscriptions over graphql-ws and SSE from Kafka), the REST
 * compatibility routes, /health and /metrics.
 */
import { randomUUID } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { request as httpRequest } from 'undici';

import { IDENTITY_HEADER, IdentitySigner } from '../platform/auth/identity-token';
import type { Principal } from '../platform/auth/principal';
import { createServiceAuth } from '../platform/auth/service-auth';
import { pingDatabase } from '../platform/db/pool';
import { Topics } from '../platform/events/topics';
import { maskUnexpectedError, serveYoga } from '../platform/graphql/subgraph-server';
import type { HealthCheck } from '../platform/health';
import { protectMetrics } from '../platform/http/metrics-access';
import { createHttpServer, sendError } from '../platform/http/server';
import { createServiceMetrics } from '../platform/metrics';
import {
  createServiceResilience,
  createServiceDatabase,
} from '../platform/resilience/service-resilience';
import type { Runtime } from '../platform/runtime';
import { Service } from '../platform/service';
import { AppError } from '../platform/errors';
import { FieldAuthorizer } from './auth/field-authorization';
import { IDENTITY_SUBGRAPH_PATH, mountIdentitySubgraph } from './identity/identity-subgraph';
import { useSubscriptionRevocation } from './auth/subscription-revocation';
import { executeAuthorized, useFederatedExecution } from './federated-execution';
import { startFederation } from './federation';
import type { GatewayContext } from './gateway-context';
import { type ConnectionAuth, startGraphqlWsServer } from './graphql-ws-server';
import { createGatewayRateLimits } from './rate-limit/gateway-rate-limits';
import { registerRestProxy } from './rest-proxy';
import { buildGatewaySchema } from './subscriptions/subscription-schema';
import { WorkflowEventHub } from './subscriptions/workflow-event-hub';

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Principal;
  }
}

/** Who the gateway's own subgraph probes act as: nobody with any permission. */
const HEALTH_PROBE: Principal = {
  kind: 'api_key',
  keyId: 'gateway-health-probe',
  subject: 'gateway-health-probe',
  name: 'gateway health probe',
  permissions: [],
  expiresAtMs: undefined,
};

const SUBGRAPH_NAMES = ['hooks', 'workflows', 'model-metrics'] as const;

export async function createGatewayService(runtime: Runtime): Promise<Service> {
  const { config } = runtime;
  const log = runtime.log.child({ service: 'gateway' });
  const metrics = createServiceMetrics('gateway');
  const db = createServiceDatabase(runtime, 'gateway', log);
  const resilience = createServiceResilience(runtime, { service: 'gateway', log, metrics, db });
  const auth = createServiceAuth(runtime, db, 'gateway');
  const { authenticator } = auth;
  const signer = new IdentitySigner(runtime.identitySecret);

  const federation = await startFederation({
    supergraphPath: config.gateway.supergraphPath,
    subgraphUrls: {
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${config.urls[name]}/graphql`])),
      identity: `${config.urls.gateway}${IDENTITY_SUBGRAPH_PATH}`,
    },
    log,
    breakers: resilience.breakers,
  });
  const hub = new WorkflowEventHub({
    bus: runtime.bus,
    topics: [runtime.topic(Topics.workflowTasks), runtime.topic(Topics.workflowCompletions)],
    log,
    bufferSize: config.gateway.subscriptionBufferSize,
  });
  let authorizer = new FieldAuthorizer(federation.supergraphSdl(), federation.apiSchema());
  const runQuery = (
    document: DocumentNode,
    variables: Record<string, unknown>,
    context: GatewayContext,
  ) =>
    executeAuthorized(
      federation.executor,
      authorizer,
      {
        schema: federation.apiSchema(),
        document,
        variableValues: variables,
        contextValue: context,
      },
      log,
    );
  let schema: GraphQLSchema = buildGatewaySchema(federation.apiSchema(), { hub, runQuery });
  federation.onSchemaChange((apiSchema) => {
    authorizer = new FieldAuthorizer(federation.supergraphSdl(), apiSchema);
    schema = buildGatewaySchema(apiSchema, { hub, runQuery });
  });
  log.info({ rules: authorizer.ruleCount }, 'field authorization rules loaded');
  const rateLimits = createGatewayRateLimits({
    config: config.rateLimit,
    redis: runtime.redis,
    supergraphSdl: () => federation.supergraphSdl(),
    authenticator,
    audit: auth.audit,
    log,
    metrics,
    alerts: resilience.alerts,
    restPrefixes: SUBGRAPH_NAMES.map((name) => `/api/v1/${name}`),
  });

  const yoga = createYoga<{ req: FastifyRequest; reply: FastifyReply }, GatewayContext>({
    // Not a schema factory: yoga's factory form needs a Fetch Request per operation, which
    // graphql-ws operations do not have. This plugin swaps in the current schema instead.
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: config.gateway.graphiql
      ? { title: 'OmniNode Bridge', subscriptionsProtocol: 'WS' }
      : false,
    landingPage: false,
    logging: log.child({ component: 'yoga' }),
    plugins: [
      {
        onEnveloped: ({ setSchema }: { setSchema: (next: GraphQLSchema) => void }) =>
          setSchema(schema),
      },
      rateLimits.plugin,
      useFederatedExecution(() => ({ executor: federation.executor, authorizer }), log),
      useSubscriptionRevocation(authenticator),
    ],
    maskedErrors: { maskError: maskUnexpectedError },
    context: async (initial): Promise<GatewayContext> => {
      // HTTP requests carry the identity the onRequest hook verified; graphql-ws
      // connections carry the one verified when the connection opened.
      const wsAuth = (initial as { wsAuth?: ConnectionAuth }).wsAuth;
      const req = initial.req as FastifyRequest | undefined;
      const identity = wsAuth?.principal ?? req?.identity;
      return {
        requestId: req?.id ?? randomUUID(),
        log: (req?.log as typeof log | undefined) ?? log,
        identity,
        credentials: wsAuth?.headers ?? {
          authorization: req?.headers.authorization,
          'x-api-key': req?.headers['x-api-key'],
        },
        identityToken: identity ? await signer.sign(identity) : undefined,
        headers: { ...pickHeaders(req?.headers ?? {}), 'x-request-id': req?.id },
      };
    },
  });

  const app = createHttpServer({
    service: 'gateway',
    log,
    metrics,
    healthChecks: () => healthChecks(),
  });
  rateLimits.register(app);
  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    onRequest: async (req, reply) => {
      if (req.method === 'OPTIONS' || isGraphiqlPage(req)) return;
      try {
        req.identity = await authenticator.authenticate(req.headers, {
          ip: req.ip,
          route: '/graphql',
          requestId: req.id,
        });
      } catch (error) {
        if (error instanceof AppError) return sendError(reply, error, req.id);
        throw error;
      }
    },
    handler: (req, reply) => serveYoga(yoga, req, reply),
  });
  protectMetrics(app, authenticator, config.auth.metricsRequireAuth);
  resilience.registerRoutes(app, authenticator);
  await mountIdentitySubgraph(app, { auth, revocations: runtime.revocations, log });
  const proxyAgent = registerRestProxy(
    app,
    SUBGRAPH_NAMES.map((name) => ({
      prefix: `/api/v1/${name}`,
      subgraph: name,
      target: config.urls[name],
    })),
    { bodyLimitBytes: config.hooks.maxBodyBytes },
  );
  const wsServer = startGraphqlWsServer({
    server: app.server,
    path: '/graphql',
    yoga,
    authenticator,
    log,
  });

  const healthChecks = (): HealthCheck[] => [
    { name: 'database', critical: true, check: () => pingDatabase(db) },
    ...resilience.healthChecks(),
    {
      name: 'event_bus',
      critical: false,
      check: async () => (await runtime.bus.ping(), { subscribers: hub.subscriberCount }),
    },
    // Every subgraph of the loaded supergraph, ours or not: a `{ __typename }` query is
    // the one probe every GraphQL server answers.
    ...federation.subgraphs().map(({ name, url }) => ({
      name: `subgraph:${name}`,
      critical: false,
      check: async () => {
        const response = await httpRequest(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [IDENTITY_HEADER]: await signer.sign(HEALTH_PROBE),
          },
          body: '{"query":"{ __typename }"}',
          headersTimeout: 2_000,
          bodyTimeout: 2_000,
        });
        await response.body.dump();
        if (response.statusCode >= 400) throw new Error(`answered ${response.statusCode}`);
      },
    })),
  ];

  return new Service({
    name: 'gateway',
    app,
    host: config.host,
    port: config.ports.gateway,
    log,
    workers: [...resilience.workers, hub],
    release: async () => {
      await wsServer.close();
      await rateLimits.close();
      await auth.close();
      await federation.stop();
      await proxyAgent.close();
      await db.end();
    },
  });
}

function isGraphiqlPage(req: FastifyRequest): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

function pickHeaders(headers: FastifyRequest['headers']): Record<string, string | undefined> {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return {
    authorization: first(headers.authorization),
    'x-api-key': first(headers['x-api-key']),
    'x-correlation-id': first(headers['x-correlation-id']),
  };
}
