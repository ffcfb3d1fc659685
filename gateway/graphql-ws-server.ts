/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the gateway's /graphql, sharing
 * yoga's envelop pipeline so a WebSocket operation is parsed, validated and executed
 * exactly like an HTTP one. The API key is checked once, when the connection opens.
 */
import type { Server } from 'node:http';

import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';

import type { ApiKeyIdentity } from '../platform/auth/api-keys';
import type { Authenticator } from '../platform/auth/authenticator';
import type { Logger } from '../platform/logger';

type OperationResult = ReturnType<NonNullable<Parameters<typeof useServer>[0]['execute']>>;

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

export interface GraphqlWsServer {
  /** Open WebSocket connections. */
  readonly connectionCount: number;
  close(): Promise<void>;
}

export function startGraphqlWsServer(options: {
  server: Server;
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- yoga's server context is the fastify pair, irrelevant here
  yoga: YogaServerInstance<any, any>;
  authenticator: Authenticator;
  log: Logger;
}): GraphqlWsServer {
  const log = options.log.child({ component: 'graphql-ws' });
  const wsServer = new WebSocketServer({ server: options.server, path: options.path });
  const identities = new WeakMap<object, { identity: ApiKeyIdentity; headers: Record<string, string | undefined> }>();

  const cleanup = useServer(
    {
      onConnect: async (ctx) => {
        // Credentials from connection_init params (browsers cannot set upgrade headers),
        // else from the upgrade request's headers.
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const upgradeHeaders = ctx.extra.request.headers;
        const headers: Record<string, string | undefined> = {
          'x-api-key': stringParam(params['apiKey'] ?? params['x-api-key'] ?? upgradeHeaders['x-api-key']),
          authorization: stringParam(params['authorization'] ?? params['Authorization'] ?? upgradeHeaders['authorization']),
        };
        try {
          const identity = await options.authenticator.authenticate(headers);
          identities.set(ctx.extra, { identity, headers });
          return true;
        } catch (error) {
          log.info({ err: error }, 'graphql-ws connection refused');
          return false;
        }
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const auth = identities.get(ctx.extra);
        const { schema, execute, subscribe, contextFactory, parse, validate } = options.yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          wsAuth: auth,
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } as EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        return args as ExecutionArgs;
      },
    },
    wsServer,
  );

  return {
    get connectionCount() {
      return wsServer.clients.size;
    },
    async close() {
      // dispose() closes every socket with 1001 Going Away, then the server.
      await cleanup.dispose();
    },
  };
}

function stringParam(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}
