/**
 * The federated query engine: @apollo/gateway over a static supergraph file, reloaded
 * when the file changes, with each subgraph's URL taken from configuration rather than
 * from the file (so one supergraph serves every deployment), and HTTP keep-alive to the
 * subgraphs through an undici agent.
 */
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';

import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLSchema, Kind, parse } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';

import { IDENTITY_HEADER } from '../platform/auth/identity-token';
import { AppError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import type { BreakerRegistry } from '../platform/resilience/breaker-registry';
import { BreakerOpenError, type CircuitBreaker } from '../platform/resilience/circuit-breaker';
import { GatewayErrors } from './errors';
import type { GatewayContext } from './gateway-context';

export interface FederationOptions {
  supergraphPath: string;
  /** Subgraph name (as in the supergraph's join__Graph) -> GraphQL endpoint URL. */
  subgraphUrls: Record<string, string>;
  log: Logger;
  /** Watch the file and apply a new supergraph without a restart. @default true */
  watch?: boolean;
  /** One circuit breaker per subgraph comes from here (named after the subgraph). */
  breakers?: BreakerRegistry;
}

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

export interface Federation {
  executor: GatewayExecutor;
  /** The subgraphs of the current supergraph, with the URLs the gateway calls. */
  subgraphs(): SubgraphEndpoint[];
  apiSchema(): GraphQLSchema;
  /** The supergraph SDL currently served. */
  supergraphSdl(): string;
  /** Called with each new API schema after a reload. */
  onSchemaChange(listener: (schema: GraphQLSchema) => void): void;
  stop(): Promise<void>;
}

// Headers a subgraph needs from the original request; everything else stays at the gateway.
// Credentials are not among them: the subgraph gets the signed identity instead.
const FORWARDED_HEADERS = ['x-request-id', 'x-correlation-id'] as const;

type SubgraphFetcher = NonNullable<
  NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']
>;

/** What counts against a subgraph's breaker: no answer at all, or an HTTP 5xx. */
function isSubgraphFailure(error: Error): boolean {
  if (!(error instanceof GraphQLError)) return true;
  const response = error.extensions['response'] as { status?: unknown } | undefined;
  return typeof response?.status === 'number' && response.status >= 500;
}

class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    private readonly breaker: CircuitBreaker | undefined,
  ) {
    super(config);
  }

  /**
   * A subgraph that cannot be reached fails only the fields it owns, with an error that
   * names it; the rest of the query still answers. Once its breaker opened, those fields
   * fail at once instead of waiting for the subgraph again.
   */
  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    try {
      const send = () => super.process(options);
      return await (this.breaker ? this.breaker.execute(send) : send());
    } catch (error) {
      if (error instanceof BreakerOpenError) {
        throw new AppError(
          GatewayErrors.SUBGRAPH_UNAVAILABLE,
          `The ${this.subgraphName} subgraph is failing (its circuit breaker is open); its fields are null. Retry in ${error.retryAfterSeconds} s.`,
          {
            subgraph: this.subgraphName,
            circuit_breaker: 'OPEN',
            retry_after: error.retryAfterSeconds,
          },
          { cause: error },
        );
      }
      if (error instanceof GraphQLError) throw error;
      throw new AppError(
        GatewayErrors.SUBGRAPH_UNAVAILABLE,
        `The ${this.subgraphName} subgraph is unavailable; its fields are null. Retry shortly.`,
        { subgraph: this.subgraphName, retry_after: 5 },
        { cause: error },
      );
    }
  }

  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context.identityToken) request.http?.headers.set(IDENTITY_HEADER, context.identityToken);
    if (!context.headers) return;
    for (const name of FORWARDED_HEADERS) {
      const value = context.headers[name];
      if (value) request.http?.headers.set(name, value);
    }
  }
}

export async function startFederation(options: FederationOptions): Promise<Federation> {
  const log = options.log.child({ component: 'federation' });
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const fetcher = ((url: string, init: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(url, { ...init, dispatcher: agent })) as unknown as SubgraphFetcher;

  let supergraphSdl = '';
  const gateway = new ApolloGateway({
    logger: log,
    supergraphSdl: async ({ update }) => {
      const initial = await readFile(options.supergraphPath, 'utf8');
      supergraphSdl = initial;
      let last = initial;
      const watcher =
        options.watch === false
          ? undefined
          : watch(options.supergraphPath, { persistent: false }, () => {
              void readFile(options.supergraphPath, 'utf8')
                .then((next) => {
                  if (next === last || next.trim() === '') return;
                  last = next;
                  // update() validates the new supergraph and throws on a bad one, which keeps the old.
                  update(next);
                  supergraphSdl = next;
                  log.info({ path: options.supergraphPath }, 'supergraph reloaded');
                })
                .catch((error: unknown) =>
                  log.error(
                    { err: error, path: options.supergraphPath },
                    'supergraph reload failed; keeping the previous one',
                  ),
                );
            });
      return { supergraphSdl: initial, cleanup: async () => watcher?.close() };
    },
    buildService: ({ name, url }) => {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL configured for subgraph ${name}`);
      const breaker = options.breakers?.get({
        name: `subgraph:${name}`,
        isFailure: isSubgraphFailure,
        healthUrl: new URL('/health', target).toString(),
        trial: (signal) => probeSubgraph(target, signal),
      });
      return new ForwardingDataSource(name, { url: target, fetcher }, breaker);
    },
  });

  const { executor } = await gateway.load();
  if (!executor) throw new Error('the gateway loaded no executor');
  let schema = gateway.schema;
  if (!schema) throw new Error('the gateway loaded no schema');
  const listeners: Array<(next: GraphQLSchema) => void> = [];
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    schema = apiSchema;
    for (const listener of listeners) listener(apiSchema);
  });

  return {
    executor,
    apiSchema: () => schema as GraphQLSchema,
    supergraphSdl: () => supergraphSdl,
    subgraphs: () =>
      subgraphsOf(supergraphSdl).map(({ name, url }) => ({
        name,
        url: options.subgraphUrls[name] ?? url,
      })),
    onSchemaChange: (listener) => listeners.push(listener),
    async stop() {
      await gateway.stop();
      await agent.close();
    },
  };
}

/** The half-open trial: `{ __typename }`, which any GraphQL server answers. */
async function probeSubgraph(url: string, signal: AbortSignal): Promise<void> {
  const response = await undiciFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ __typename }"}',
    signal,
  });
  await response.arrayBuffer();
  if (response.status >= 500) throw new Error(`answered ${response.status}`);
}

/** The `join__Graph` enum of a supergraph: each subgraph's name and routing URL. */
export function subgraphsOf(supergraphSdl: string): SubgraphEndpoint[] {
  if (!supergraphSdl) return [];
  const endpoints: SubgraphEndpoint[] = [];
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph')
      continue;
    for (const value of definition.values ?? []) {
      const directive = value.directives?.find(
        (candidate) => candidate.name.value === 'join__graph',
      );
      const argument = (name: string) => {
        const node = directive?.arguments?.find(
          (candidate) => candidate.name.value === name,
        )?.value;
        return node?.kind === Kind.STRING ? node.value : undefined;
      };
      const name = argument('name');
      const url = argument('url');
      if (name && url) endpoints.push({ name, url });
    }
  }
  return endpoints;
}
