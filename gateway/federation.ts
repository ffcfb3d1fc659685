/**
 * The federated query engine: @apollo/gateway over a static supergraph file, reloaded
 * when the file changes, with each subgraph's URL taken from configuration rather than
 * from the file (so one supergraph serves every deployment), and HTTP keep-alive to the
 * subgraphs through an undici agent.
 */
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';

import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';

import type { Logger } from '../platform/logger';
import type { GatewayContext } from './gateway-context';

export interface FederationOptions {
  supergraphPath: string;
  /** Subgraph name (as in the supergraph's join__Graph) -> GraphQL endpoint URL. */
  subgraphUrls: Record<string, string>;
  log: Logger;
  /** Watch the file and apply a new supergraph without a restart. @default true */
  watch?: boolean;
}

export interface Federation {
  executor: GatewayExecutor;
  apiSchema(): GraphQLSchema;
  /** Called with each new API schema after a reload. */
  onSchemaChange(listener: (schema: GraphQLSchema) => void): void;
  stop(): Promise<void>;
}

// Headers a subgraph needs from the original request; everything else stays at the gateway.
const FORWARDED_HEADERS = ['authorization', 'x-api-key', 'x-request-id', 'x-correlation-id'] as const;

type SubgraphFetcher = NonNullable<
  NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']
>;

class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
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

  const gateway = new ApolloGateway({
    logger: log,
    supergraphSdl: async ({ update }) => {
      const initial = await readFile(options.supergraphPath, 'utf8');
      let last = initial;
      const watcher =
        options.watch === false
          ? undefined
          : watch(options.supergraphPath, { persistent: false }, () => {
              void readFile(options.supergraphPath, 'utf8')
                .then((next) => {
                  if (next === last || next.trim() === '') return;
                  last = next;
                  // update() validates and plans the new supergraph; a bad file keeps the old one.
                  update(next);
                  log.info({ path: options.supergraphPath }, 'supergraph reloaded');
                })
                .catch((error: unknown) =>
                  log.error({ err: error, path: options.supergraphPath }, 'supergraph reload failed; keeping the previous one'),
                );
            });
      return { supergraphSdl: initial, cleanup: async () => watcher?.close() };
    },
    buildService: ({ name, url }) => {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL configured for subgraph ${name}`);
      return new ForwardingDataSource({ url: target, fetcher });
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
    onSchemaChange: (listener) => listeners.push(listener),
    async stop() {
      await gateway.stop();
      await agent.close();
    },
  };
}
