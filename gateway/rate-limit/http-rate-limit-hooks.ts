/**
 * The fastify side of the limiter.
 * - REST proxy routes (/api/v1/...): the gateway does not authenticate them (the subgraph
 *   does), so the hook verifies the key itself, through the same cached authenticator,
 *   only to know whose limits apply; an unverified caller counts on the ip tier.
 * - /graphql without any credential: decided on the ip tier here, before authentication
 *   answers 401, so an anonymous flood never reaches the key lookup. Requests with a
 *   credential are decided by the GraphQL plugin, except from an address the ip tier
 *   refused lately (known from earlier answers, so no extra Redis call).
 * - A /graphql request refused by authentication counts on the ip tier after the answer
 *   (the one case with a second store call; it protects against key guessing).
 * - Every limited REST answer's status feeds the key's reputation.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { extractApiKey } from '../../platform/auth/api-keys';
import { AppError } from '../../platform/errors';
import { sendError } from '../../platform/http/server';
import { GatewayErrors } from '../errors';
import { type EndpointRule, matchRestEndpoint } from './endpoint-rules';
import type { Caller, GatewayRateLimiter, Verdict } from './gateway-rate-limiter';

export interface KeyVerifier {
  /** Verifies without auditing: the subgraph that owns the route authenticates and audits it. */
  identify(
    headers: Record<string, string | string[] | undefined>,
  ): Promise<{ keyId: string } | undefined>;
}

interface HookOptions {
  limiter: GatewayRateLimiter;
  authenticator: KeyVerifier;
  endpointRules: EndpointRule[];
  /** URL prefixes of the REST proxy, e.g. /api/v1/workflows. */
  restPrefixes: string[];
}

const limitedRequests = new WeakMap<FastifyRequest, { caller: Caller; refusedByUs: boolean }>();

export function registerRateLimitHooks(app: FastifyInstance, options: HookOptions): void {
  const { limiter } = options;
  if (!limiter.enabled) return;

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?', 1)[0] ?? req.url;
    if (options.restPrefixes.some((prefix) => path.startsWith(`${prefix}/`)))
      return limitRest(req, reply, options);
    if (path !== '/graphql' || req.method === 'OPTIONS' || isGraphiqlPage(req)) return undefined;

    const blocked = limiter.blockedSeconds(req.ip);
    if (hasCredential(req)) {
      if (blocked === undefined) return undefined;
      return sendError(reply, limitedError('ip', blocked), req.id);
    }
    const caller = { ip: req.ip, keyId: undefined };
    limitedRequests.set(req, { caller, refusedByUs: false });
    return answer(
      req,
      reply,
      await limiter.decide({ caller, requestId: req.id, route: '/graphql' }),
    );
  });

  app.addHook('onResponse', async (req, reply) => {
    const limited = limitedRequests.get(req);
    if (limited) {
      if (!limited.refusedByUs) limiter.recordOutcome(limited.caller, outcomeOf(reply.statusCode));
      return;
    }
    const path = req.url.split('?', 1)[0] ?? req.url;
    if (path === '/graphql' && reply.statusCode === 401) {
      await limiter.decide({
        caller: { ip: req.ip, keyId: undefined },
        requestId: req.id,
        route: '/graphql',
      });
    }
  });
}

async function limitRest(
  req: FastifyRequest,
  reply: FastifyReply,
  options: HookOptions,
): Promise<FastifyReply | undefined> {
  const identity =
    (req as { identity?: { keyId: string } }).identity ??
    (await verifiedKey(req, options.authenticator));
  const caller: Caller = { ip: req.ip, keyId: identity?.keyId };
  const rule = matchRestEndpoint(options.endpointRules, req.method, req.url);
  const verdict = await options.limiter.decide({
    caller,
    requestId: req.id,
    route: `${req.method} ${req.url.split('?', 1)[0]}`,
    ...(rule ? { endpoint: { rule, units: 1 } } : {}),
  });
  limitedRequests.set(req, {
    caller,
    refusedByUs: verdict.kind === 'limited' || verdict.kind === 'unavailable',
  });
  return answer(req, reply, verdict);
}

function answer(
  req: FastifyRequest,
  reply: FastifyReply,
  verdict: Verdict,
): FastifyReply | undefined {
  switch (verdict.kind) {
    case 'allowed':
      reply.headers(verdict.headers);
      return undefined;
    case 'bypassed':
      return undefined;
    case 'limited': {
      const state = limitedRequests.get(req);
      if (state) state.refusedByUs = true;
      reply.headers(verdict.headers);
      return sendError(
        reply,
        limitedError(verdict.tier, verdict.retryAfterSeconds, verdict.limit),
        req.id,
      );
    }
    case 'unavailable': {
      const state = limitedRequests.get(req);
      if (state) state.refusedByUs = true;
      return sendError(
        reply,
        new AppError(
          GatewayErrors.RATE_LIMITER_UNAVAILABLE,
          'Rate limiting is unavailable; retry shortly.',
          {
            retry_after: verdict.retryAfterSeconds,
          },
        ),
        req.id,
      );
    }
    default: {
      const unreachable: never = verdict;
      throw new Error(`unknown verdict ${String(unreachable)}`);
    }
  }
}

function limitedError(tier: string, retryAfterSeconds: number, limit?: number): AppError {
  return new AppError(
    GatewayErrors.RATE_LIMITED,
    `Rate limit exceeded (${tier}); retry in ${retryAfterSeconds} s.`,
    {
      tier,
      ...(limit !== undefined ? { limit } : {}),
      retry_after: retryAfterSeconds,
    },
  );
}

async function verifiedKey(
  req: FastifyRequest,
  authenticator: KeyVerifier,
): Promise<{ keyId: string } | undefined> {
  if (!hasCredential(req)) return undefined;
  // Not valid: the subgraph answers 401 itself; here the caller is just anonymous.
  return authenticator.identify(req.headers);
}

function hasCredential(req: FastifyRequest): boolean {
  return extractApiKey(req.headers) !== undefined || typeof req.headers.authorization === 'string';
}

function isGraphiqlPage(req: FastifyRequest): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

function outcomeOf(statusCode: number): 'success' | 'client_error' | 'server_error' {
  if (statusCode >= 500) return 'server_error';
  if (statusCode >= 400) return 'client_error';
  return 'success';
}
