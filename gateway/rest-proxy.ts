/**
 * The REST compatibility routes: /api/v1/hooks/*, /api/v1/workflows/* and
 * /api/v1/model-metrics/* are forwarded to the subgraph that owns them, body untouched
 * (the subgraph validates it and checks credentials itself). A subgraph that cannot be
 * reached gives 503 with Retry-After, never a hang.
 */
import type { FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';

import { AppError } from '../platform/errors';
import { GatewayErrors } from './errors';

export interface RestRoute {
  /** e.g. /api/v1/hooks */
  prefix: string;
  subgraph: string;
  /** Base URL of the subgraph, e.g. http://127.0.0.1:4001 */
  target: string;
}

// Hop-by-hop headers (RFC 9110 section 7.6.1) and ones undici sets itself.
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
]);

export function registerRestProxy(
  app: FastifyInstance,
  routes: RestRoute[],
  options: { bodyLimitBytes: number; timeoutMs?: number },
): Agent {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const timeoutMs = options.timeoutMs ?? 30_000;

  void app.register(async (scope) => {
    // Forward bodies as bytes: the owning subgraph parses and validates them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes },
      (_req, body, done) => done(null, body),
    );

    for (const route of routes) {
      scope.all(`${route.prefix}/*`, async (req, reply) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (value === undefined || DROPPED_REQUEST_HEADERS.has(name)) continue;
          headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        headers['x-request-id'] = req.id;
        headers['x-forwarded-for'] = req.ip;

        let upstream;
        try {
          upstream = await request(`${route.target}${req.url}`, {
            method: req.method as 'GET',
            headers,
            body: req.body as Buffer | undefined,
            dispatcher: agent,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          });
        } catch (error) {
          throw new AppError(
            GatewayErrors.SUBGRAPH_UNAVAILABLE,
            `The ${route.subgraph} service is unavailable; retry shortly.`,
            { retry_after: 5 },
            { cause: error },
          );
        }
        for (const [name, value] of Object.entries(upstream.headers)) {
          if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) reply.header(name, value);
        }
        reply.status(upstream.statusCode);
        return reply.send(Buffer.from(await upstream.body.arrayBuffer()));
      });
    }
  });
  return agent;
}
