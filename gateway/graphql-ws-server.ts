/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the gateway's /graphql, sharing
 * yoga's envelop pipeline so a WebSocket operation is parsed, validated, authorized and
 * executed exactly like an HTTP one.
 *
 * Credentials are checked when the connection opens (connection_init payload `apiKey` or
 * `authorization`, else the upgrade request's headers). An open connection is closed
 * with 4403 as soon as its key is revoked (the revocation feed), when its token expires,
 * and otherwise when a periodic re-check fails.
 */
import type { Server } from 'node:http';

import type { ExecutionArgs } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';

import type { Authenticator, RequestHeaders } from '../platform/auth/authenticator';
import type { Principal } from '../platform/auth/principal';
import type { Logger } from '../platform/logger';

type OperationResult = ReturnType<NonNullable<Parameters<typeof useServer>[0]['execute']>>;

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

/** What a connection proved when it opened; operations on it run as this principal. */
export interface ConnectionAuth {
  principal: Principal;
  headers: RequestHeaders;
}

export interface GraphqlWsServer {
  /** Open WebSocket connections. */
  readonly connectionCount: number;
  close(): Promise<void>;
}

const RECHECK_INTERVAL_MS = 10_000;

export function startGraphqlWsServer(options: {
  server: Server;
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- yoga's server context is the fastify pair, irrelevant here
  yoga: YogaServerInstance<any, any>;
  authenticator: Authenticator;
  log: Logger;
  /** @default 10000 */
  recheckIntervalMs?: number;
}): GraphqlWsServer {
  const log = options.log.child({ component: 'graphql-ws' });
  const wsServer = new WebSocketServer({ server: options.server, path: options.path });
  const connections = new Map<WebSocket, ConnectionAuth>();
  const auths = new WeakMap<object, ConnectionAuth>();

  const refuse = (socket: WebSocket, reason: string) => {
    connections.delete(socket);
    socket.close(CloseCode.Forbidden, reason);
  };
  const stopWatchingRevocations = options.authenticator.onRevoked((keyId) => {
    for (const [socket, auth] of connections) {
      if (auth.principal.keyId === keyId) refuse(socket, 'API key revoked');
    }
  });
  const recheck = setInterval(() => {
    for (const [socket, auth] of connections) {
      void options.authenticator.stillValid(auth.headers).then((valid) => {
        if (!valid && connections.has(socket)) refuse(socket, 'Credential no longer valid');
      });
    }
  }, options.recheckIntervalMs ?? RECHECK_INTERVAL_MS).unref();

  const cleanup = useServer(
    {
      onConnect: async (ctx) => {
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const upgrade = ctx.extra.request.headers;
        const headers: RequestHeaders = {
          'x-api-key': stringParam(params['apiKey'] ?? params['x-api-key']) ?? upgrade['x-api-key'],
          authorization:
            stringParam(params['authorization'] ?? params['Authorization']) ??
            upgrade['authorization'],
        };
        try {
          const principal = await options.authenticator.authenticate(headers, {
            ip: ctx.extra.request.socket.remoteAddress,
            route: 'graphql-ws',
          });
          const auth = { principal, headers };
          auths.set(ctx.extra, auth);
          connections.set(ctx.extra.socket, auth);
          ctx.extra.socket.once('close', () => connections.delete(ctx.extra.socket));
          if (principal.expiresAtMs !== undefined) {
            const socket = ctx.extra.socket;
            setTimeout(
              () => connections.has(socket) && refuse(socket, 'Token expired'),
              Math.max(principal.expiresAtMs - Date.now(), 0),
            ).unref();
          }
          return true;
        } catch (error) {
          log.info({ err: error }, 'graphql-ws connection refused');
          return false;
        }
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } =
          options.yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
            wsAuth: auths.get(ctx.extra),
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
      clearInterval(recheck);
      stopWatchingRevocations();
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
