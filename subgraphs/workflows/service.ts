/**
 * The workflows subgraph (Workflow Coordinator + Task Engine): REST and GraphQL for
 * definitions, triggers and runs; the consumer of workflow.events that starts triggered
 * runs; the engine that executes them under a lease; the sweeper that resumes runs of a
 * coordinator that died.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

import { request } from 'undici';

import { createServiceAuth } from '../../platform/auth/service-auth';
import { pingDatabase } from '../../platform/db/pool';
import { AppError } from '../../platform/errors';
import { Topics } from '../../platform/events/topics';
import { readSubgraphSdl } from '../../platform/graphql/compose';
import { mountSubgraph } from '../../platform/graphql/subgraph-server';
import { protectMetrics } from '../../platform/http/metrics-access';
import { createHttpServer } from '../../platform/http/server';
import { createServiceMetrics } from '../../platform/metrics';
import {
  createServiceResilience,
  createServiceDatabase,
} from '../../platform/resilience/service-resilience';
import type { Runtime } from '../../platform/runtime';
import { Service, type Worker } from '../../platform/service';
import { CONSUMER_NAME, WorkflowCoordinator } from './coordinator';
import { DeadLetterQueue } from './dead-letters';
import { WorkflowErrors } from './errors';
import { EventBatcher } from './event-batcher';
import { OutboxPublisher } from './outbox/outbox-publisher';
import { outboxBacklog } from './outbox/outbox-store';
import { OutboxSweeper } from './outbox/outbox-sweeper';
import { PublishedEventMarker } from './outbox/published-marker';
import { WorkflowEngine } from './engine';
import { HookEventConsumer } from './hook-event-consumer';
import { createLeaseSweeper } from './lease-sweeper';
import { createResolvers } from './resolvers';
import { createRunRetention } from './run-retention';
import { registerRestRoutes } from './rest-routes';
import { runDelay } from './tasks/delay';
import { createHttpRunner } from './tasks/http';
import { InferenceFallback } from './tasks/inference-fallback';
import { createModelInferenceRunner, isDependencyFailure } from './tasks/model-inference';
import { TaskFailure } from './tasks/task-runner';
import { runTransform } from './tasks/transform';
import { createWorkflowMetrics } from './workflow-metrics';

export interface WorkflowsServiceOptions {
  /** This coordinator's lease owner name. @default host:pid:random */
  instanceId?: string;
  /** @default runtime.config.workflows.leaseMs */
  leaseMs?: number;
  /** How often expired leases are looked for. @default leaseMs / 2, at most 10 s */
  sweepIntervalMs?: number;
  /** Attempts of a failing hook event before it is dead-lettered. @default 5 */
  eventMaxAttempts?: number;
  /** @default 200 */
  eventInitialBackoffMs?: number;
  /** How often the event outbox is looked at for events not published after their commit. @default 1000 */
  outboxSweepIntervalMs?: number;
  /** How long after its commit an unpublished event is the sweeper's. @default 10000 */
  outboxGraceMs?: number;
}

const MAX_SWEEP_INTERVAL_MS = 10_000;

export async function createWorkflowsService(
  runtime: Runtime,
  options: WorkflowsServiceOptions = {},
): Promise<Service> {
  const { config } = runtime;
  const log = runtime.log.child({ service: 'workflows' });
  const db = createServiceDatabase(runtime, 'workflows', log);
  const auth = createServiceAuth(runtime, db, 'workflows');
  const metrics = createServiceMetrics('workflows');
  const workflowMetrics = createWorkflowMetrics(metrics);
  const resilience = createServiceResilience(runtime, { service: 'workflows', log, metrics, db });
  const modelMetricsUrl = config.urls['model-metrics'];
  const modelMetricsBreaker = resilience.breakers.get({
    name: 'model-metrics',
    isFailure: isDependencyFailure,
    healthUrl: `${modelMetricsUrl}/health`,
    trial: (signal) => inferenceTrial(modelMetricsUrl, runtime.serviceApiKey, signal),
  });
  const degradation = config.resilience.modelMetricsDegradation;
  const leaseMs = options.leaseMs ?? config.workflows.leaseMs;
  const owner =
    options.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  const publisher = new OutboxPublisher(
    new EventBatcher(runtime.bus),
    {
      tasks: runtime.topic(Topics.workflowTasks),
      completions: runtime.topic(Topics.workflowCompletions),
    },
    new PublishedEventMarker(db, log),
    log,
    (path) => workflowMetrics.eventPublishFailures.inc({ path }),
  );
  const engine = new WorkflowEngine({
    db,
    events: publisher,
    ...(options.outboxGraceMs === undefined ? {} : { outboxGraceMs: options.outboxGraceMs }),
    runners: {
      model_inference: createModelInferenceRunner({
        baseUrl: modelMetricsUrl,
        serviceApiKey: runtime.serviceApiKey,
        breaker: modelMetricsBreaker,
        degradation,
        fallback: new InferenceFallback(db, config.resilience.inferenceCacheTtlHours, log),
      }),
      transform: runTransform,
      http: createHttpRunner(resilience.breakers),
      delay: runDelay,
    },
    leaseMs,
    modelInferenceTimeoutMs: config.modelMetrics.inferenceTimeoutMs,
    log,
    metrics: workflowMetrics,
  });
  const coordinator = new WorkflowCoordinator({
    db,
    engine,
    owner,
    leaseMs,
    log,
    metrics: workflowMetrics,
    // STRICT: a run that needs model-metrics is refused while its breaker is open.
    admit: (definition) => {
      if (degradation !== 'strict' || modelMetricsBreaker.state !== 'OPEN') return;
      if (!definition.tasks.some((task) => task.type === 'model_inference')) return;
      throw new AppError(
        WorkflowErrors.DEPENDENCY_UNAVAILABLE,
        'model-metrics is unavailable (its circuit breaker is open) and degradation is strict; the workflow was not started.',
        { dependency: 'model-metrics', retry_after: modelMetricsBreaker.retryAfterSeconds() },
      );
    },
  });
  const deadLetters = new DeadLetterQueue(db, runtime.bus, {
    source: runtime.topic(Topics.workflowEvents),
    dlq: runtime.topic(Topics.workflowEventsDlq),
  });

  const app = createHttpServer({
    service: 'workflows',
    log,
    metrics,
    healthChecks: () => [
      { name: 'database', critical: true, check: () => pingDatabase(db) },
      { name: 'event_bus', critical: false, check: async () => runtime.bus.ping() },
      {
        name: 'engine',
        critical: false,
        check: async () => ({ active_runs: engine.activeCount, lease_owner: owner }),
      },
      {
        // Events committed but not yet published: a growing backlog means Kafka is refusing them.
        name: 'event_outbox',
        critical: false,
        check: async () => {
          const backlog = await outboxBacklog(db);
          return {
            pending: backlog.pending,
            oldest_age_seconds: backlog.oldestAgeSeconds,
            direct_publishing: publisher.isDirectPaused ? 'paused' : 'active',
          };
        },
      },
      ...resilience.healthChecks(),
    ],
  });
  registerRestRoutes(app, {
    db,
    authenticator: auth.authenticator,
    coordinator,
  });
  resilience.registerRoutes(app, auth.authenticator);
  mountSubgraph(app, {
    sdl: await readSubgraphSdl('workflows'),
    resolvers: createResolvers({ db, coordinator, deadLetters }),
    log,
    identity: auth.identity,
  });
  protectMetrics(app, auth.authenticator, config.auth.metricsRequireAuth);

  // Stopped in reverse: no new events, no takeovers, then the running runs are interrupted.
  const engineWorker: Worker = {
    name: 'task-engine',
    start: async () => undefined,
    stop: () => engine.stop(),
  };
  const workers: Worker[] = [
    ...resilience.workers,
    new OutboxSweeper({
      db,
      publisher,
      log,
      intervalMs: options.outboxSweepIntervalMs ?? 1_000,
      onPublished: (count) => workflowMetrics.lateEventsPublished.inc(count),
      onRejected: (count) => workflowMetrics.eventsRejected.inc(count),
    }),
    engineWorker,
    createRunRetention({ db, retentionDays: config.workflows.retentionDays, log }),
    createLeaseSweeper(
      coordinator,
      options.sweepIntervalMs ??
        Math.min(Math.max(Math.floor(leaseMs / 2), 50), MAX_SWEEP_INTERVAL_MS),
      log,
    ),
    new HookEventConsumer({
      bus: runtime.bus,
      topic: runtime.topic(Topics.workflowEvents),
      groupId: CONSUMER_NAME,
      coordinator,
      deadLetters,
      log,
      metrics: workflowMetrics,
      ...(options.eventMaxAttempts === undefined ? {} : { maxAttempts: options.eventMaxAttempts }),
      ...(options.eventInitialBackoffMs === undefined
        ? {}
        : { initialBackoffMs: options.eventInitialBackoffMs }),
    }),
  ];

  return new Service({
    name: 'workflows',
    app,
    host: config.host,
    port: config.ports.workflows,
    log,
    workers,
    release: async () => {
      await auth.close();
      await db.end();
    },
  });
}

/** The half-open trial: the smallest real inference (local sentiment of one word). */
async function inferenceTrial(
  baseUrl: string,
  serviceApiKey: string,
  signal: AbortSignal,
): Promise<void> {
  const response = await request(new URL('/api/v1/model-metrics/infer', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': serviceApiKey },
    body: JSON.stringify({ task_type: 'sentiment', input: 'ok' }),
    signal,
  });
  await response.body.dump();
  if (response.statusCode !== 200)
    throw new TaskFailure(`model-metrics answered ${response.statusCode}`, true);
}
