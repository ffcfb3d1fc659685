/**
 * The model-metrics service: model inference over REST and GraphQL, a record of every
 * model call, per-model statistics and metric-driven model selection.
 */
import { createServiceAuth } from '../../platform/auth/service-auth';
import { pingDatabase } from '../../platform/db/pool';
import { readSubgraphSdl } from '../../platform/graphql/compose';
import { mountSubgraph } from '../../platform/graphql/subgraph-server';
import { protectMetrics } from '../../platform/http/metrics-access';
import type { HealthCheck } from '../../platform/health';
import { createHttpServer } from '../../platform/http/server';
import { createServiceMetrics } from '../../platform/metrics';
import { PeriodicJob } from '../../platform/periodic-job';
import {
  createServiceResilience,
  createServiceDatabase,
} from '../../platform/resilience/service-resilience';
import type { Runtime } from '../../platform/runtime';
import { Service } from '../../platform/service';
import { registerInferRoute } from './infer-route';
import { InferenceService } from './inference-service';
import { InvocationStore } from './invocation-store';
import { ModelCatalog } from './model-catalog';
import { ModelSelector, type ModelSelectorOptions } from './model-selector';
import { loadProviderSetup } from './provider-config';
import type { Provider } from './providers/provider';
import { createResolvers } from './resolvers';

export interface ModelMetricsServiceOptions {
  /** Replaces the providers read from configuration (MODELS_FILE, OPENAI_*). */
  providers?: Provider[];
  /** Overrides the models file's selection settings. */
  selector?: ModelSelectorOptions;
  /** Largest accepted input text. @default 102400 (100 KiB) */
  maxInputBytes?: number;
  /** @default config MODEL_SELECTION_REFRESH_MS */
  selectionRefreshMs?: number;
}

const DEFAULT_MAX_INPUT_BYTES = 100 * 1024;

const LATENCY_BUCKETS_SECONDS = [
  0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export async function createModelMetricsService(
  runtime: Runtime,
  options: ModelMetricsServiceOptions = {},
): Promise<Service> {
  const { config } = runtime;
  const log = runtime.log.child({ service: 'model-metrics' });
  const db = createServiceDatabase(runtime, 'model-metrics', log);
  const setup = loadProviderSetup(config);
  const providers = options.providers ?? setup.providers;
  const selection = { ...setup.selection, ...options.selector };
  const catalog = new ModelCatalog(providers);
  const store = new InvocationStore(db);
  const selector = new ModelSelector(selection);
  const refresh = selectionRefresh({
    selector,
    store,
    catalog,
    windowSize: selection.windowSize ?? 30,
    intervalMs: options.selectionRefreshMs ?? config.modelMetrics.selectionRefreshMs,
    log,
  });
  // Before the first call: a restart does not forget what was learned (a failed load logs).
  await refresh.runNow();

  const metrics = createServiceMetrics('model-metrics');
  // TODO(issue 8): HTTP model providers have no breaker of their own yet; a failing
  // provider is already skipped by model selection, and callers (workflows) break on 5xx.
  const resilience = createServiceResilience(runtime, {
    service: 'model-metrics',
    log,
    metrics,
    db,
  });
  const inference = new InferenceService({
    catalog,
    store,
    selector,
    log,
    latencyHistogram: metrics.histogram(
      'model_inference_duration_seconds',
      'Model inference calls by model, task type and outcome',
      ['model', 'task_type', 'outcome'] as const,
      LATENCY_BUCKETS_SECONDS,
    ),
    timeoutMs: config.modelMetrics.inferenceTimeoutMs,
    maxInputBytes: options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES,
  });

  const healthChecks: HealthCheck[] = [
    { name: 'database', critical: true, check: () => pingDatabase(db) },
    ...providers.map((provider) => providerHealthCheck(provider)),
    ...resilience.healthChecks(),
  ];
  const app = createHttpServer({
    service: 'model-metrics',
    log,
    metrics,
    healthChecks: () => healthChecks,
  });
  const auth = createServiceAuth(runtime, db, 'model-metrics');
  registerInferRoute(app, { inference, authenticator: auth.authenticator });
  resilience.registerRoutes(app, auth.authenticator);
  mountSubgraph(app, {
    sdl: await readSubgraphSdl('model-metrics'),
    resolvers: createResolvers({ inference, store, catalog, selector }),
    log,
    identity: auth.identity,
  });
  protectMetrics(app, auth.authenticator, config.auth.metricsRequireAuth);

  return new Service({
    name: 'model-metrics',
    app,
    host: config.host,
    port: config.ports['model-metrics'],
    log,
    workers: [...resilience.workers, refresh],
    release: async () => {
      await Promise.all(providers.map((provider) => provider.close?.()));
      await auth.close();
      await db.end();
    },
  });
}

/** A provider is never critical: the others still serve their task types while it is down. */
function providerHealthCheck(provider: Provider): HealthCheck {
  return {
    name: `provider:${provider.name}`,
    critical: false,
    check: async () => {
      const health = provider.health();
      if (health.state === 'down') throw new Error(String(health['reason'] ?? 'provider is down'));
      return { ...health, models: provider.models.map((model) => model.name) };
    },
  };
}

/**
 * Reloads the selector's windows from the calls every replica recorded, at start (so a
 * restart does not forget what was learned) and every MODEL_SELECTION_REFRESH_MS.
 */
function selectionRefresh(options: {
  selector: ModelSelector;
  store: InvocationStore;
  catalog: ModelCatalog;
  windowSize: number;
  intervalMs: number;
  log: Runtime['log'];
}): PeriodicJob {
  const pairs = options.catalog.entries.flatMap((entry) =>
    entry.model.taskTypes.map((taskType) => ({ model: entry.model.name, taskType })),
  );
  return new PeriodicJob({
    name: 'model-selection-refresh',
    intervalMs: options.intervalMs,
    log: options.log,
    run: async () => {
      const recent = await options.store.recent(pairs, options.windowSize);
      options.selector.replaceWindows(recent.reverse());
    },
  });
}
