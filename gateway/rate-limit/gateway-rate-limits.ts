/**
 * Everything the gateway's service.ts needs for rate limits, built in one place: the
 * store (Redis, or in-process in the embedded default), the limiter, the GraphQL plugin,
 * the fastify hooks and the admin routes, and the cost model read from the supergraph
 * (read again whenever the supergraph text changes, i.e. after a reload).
 */
import type { FastifyInstance } from 'fastify';
import type { Plugin } from 'graphql-yoga';

import type { RedisClient } from '../../platform/cache/redis';
import type { AlertManager } from '../../platform/alerts/alert-manager';
import type { Logger } from '../../platform/logger';
import type { ServiceMetrics } from '../../platform/metrics';
import type { LimiterStore } from '../../platform/rate-limit/limiter-store';
import { MemoryLimiterStore } from '../../platform/rate-limit/memory-limiter-store';
import type { RateLimitConfig } from '../../platform/rate-limit/rate-limit-config';
import { RedisLimiterStore } from '../../platform/rate-limit/redis-limiter-store';
import { type CostModel, costModelFromSupergraph } from './cost-directives';
import { endpointRules } from './endpoint-rules';
import { GatewayRateLimiter } from './gateway-rate-limiter';
import { useGraphqlRateLimits } from './graphql-rate-limit-plugin';
import { type KeyVerifier, registerRateLimitHooks } from './http-rate-limit-hooks';
import { type AdminVerifier, registerReputationAdminRoutes } from './reputation-admin-routes';
import { type AuditSink, ViolationReporter } from './violation-reporter';

export interface GatewayRateLimitsOptions {
  config: RateLimitConfig;
  /** Undefined in the embedded default: an in-process store with the same rules. */
  redis: RedisClient | undefined;
  /** The supergraph the gateway serves now (its cost directives). */
  supergraphSdl: () => string;
  authenticator: KeyVerifier & AdminVerifier;
  log: Logger;
  metrics: ServiceMetrics;
  audit?: AuditSink;
  /** Where rate-limit alerts go besides the log. */
  alerts?: AlertManager;
  /** URL prefixes of the REST proxy routes. */
  restPrefixes: string[];
}

export interface GatewayRateLimits {
  limiter: GatewayRateLimiter;
  store: LimiterStore;
  /** Goes into yoga's plugins, before the federated execution plugin. */
  plugin: Plugin;
  /** Adds the fastify hooks and the admin routes. */
  register(app: FastifyInstance): void;
  close(): Promise<void>;
}

export function createGatewayRateLimits(options: GatewayRateLimitsOptions): GatewayRateLimits {
  const log = options.log.child({ component: 'rate-limit' });
  const { config } = options;
  const store: LimiterStore = options.redis
    ? new RedisLimiterStore(options.redis, config.keyPrefix)
    : new MemoryLimiterStore();
  const reporter = new ViolationReporter(log, options.metrics, options.audit, options.alerts);
  const limiter = new GatewayRateLimiter(store, config, reporter, log, options.metrics);
  const rules = endpointRules(config);

  let modelSource = options.supergraphSdl();
  let costModel: CostModel = readCostModel(modelSource, log);
  const currentModel = () => {
    const source = options.supergraphSdl();
    if (source !== modelSource) {
      modelSource = source;
      costModel = readCostModel(source, log);
    }
    return costModel;
  };
  const plugin = useGraphqlRateLimits({
    limiter,
    costModel: currentModel,
    endpointRules: rules,
    maxCost: config.graphql.maxCost,
    defaultListSize: config.graphql.defaultListSize,
    documentLimits: config.graphql,
  });

  return {
    limiter,
    store,
    plugin,
    register(app) {
      registerRateLimitHooks(app, {
        limiter,
        authenticator: options.authenticator,
        endpointRules: rules,
        restPrefixes: options.restPrefixes,
      });
      registerReputationAdminRoutes(app, {
        store,
        authenticator: options.authenticator,
        baseKeyLimitPerMinute: config.keyPerMinute,
      });
    },
    close: () => limiter.close(),
  };
}

function readCostModel(supergraphSdl: string, log: Logger): CostModel {
  try {
    return costModelFromSupergraph(supergraphSdl);
  } catch (error) {
    // The gateway itself refuses a broken supergraph, so this is a defect; default weights apply.
    log.warn({ err: error }, 'cost directives not read; default weights apply');
    return { weights: new Map(), listSizes: new Map() };
  }
}
