/**
 * The hooks subgraph (Hook Receiver): webhook intake over REST and GraphQL, the outbox
 * relay to workflow.events, and the consumer that records when an event's workflow ends.
 *
 * Health: PostgreSQL is critical (nothing can be accepted without it); the event bus is
 * reported but not critical, because webhooks are still accepted while Kafka is down and
 * flow out through the outbox when it returns.
 */
import { createSecretBox } from '../../platform/crypto/secrets-key';
import { createServiceAuth } from '../../platform/auth/service-auth';
import { pingDatabase } from '../../platform/db/pool';
import { Topics } from '../../platform/events/topics';
import { readSubgraphSdl } from '../../platform/graphql/compose';
import { mountSubgraph } from '../../platform/graphql/subgraph-server';
import { protectMetrics } from '../../platform/http/metrics-access';
import type { HealthCheck } from '../../platform/health';
import { createHttpServer } from '../../platform/http/server';
import { createServiceMetrics } from '../../platform/metrics';
import {
  createServiceResilience,
  createServiceDatabase,
} from '../../platform/resilience/service-resilience';
import type { Runtime } from '../../platform/runtime';
import { Service } from '../../platform/service';
import { createHookResolvers } from './graphql/hook-resolvers';
import { createHookMetrics } from './hook-metrics';
import { HookIntake } from './intake/hook-intake';
import { registerReceiveRoute } from './intake/receive-route';
import { outboxBacklog } from './outbox/outbox-store';
import { OutboxRelay } from './outbox/outbox-relay';
import { SourceSignatures, resealSourceSecrets } from './signatures/source-signatures';
import { CompletionConsumer } from './status/completion-consumer';
import { RetentionSweeper } from './store/retention-sweeper';

const HOUR_MS = 3_600_000;

export async function createHooksService(runtime: Runtime): Promise<Service> {
  const { config } = runtime;
  const log = runtime.log.child({ service: 'hooks' });
  const db = createServiceDatabase(runtime, 'hooks', log);
  const serviceMetrics = createServiceMetrics('hooks');
  const metrics = createHookMetrics(serviceMetrics);
  const resilience = createServiceResilience(runtime, {
    service: 'hooks',
    log,
    metrics: serviceMetrics,
    db,
  });

  const box = await createSecretBox(config, log);
  await resealSourceSecrets(db, box).then(
    (resealed) => {
      if (resealed > 0)
        log.info({ resealed }, 'stored signing secrets sealed with the current key');
    },
    // Not fatal: rows in the clear or under a previous key still open; the next start retries.
    (error: unknown) => log.warn({ err: error }, 'could not reseal stored signing secrets'),
  );
  const relay = new OutboxRelay({
    db,
    bus: runtime.bus,
    topic: runtime.topic(Topics.workflowEvents),
    log,
    metrics,
    pollIntervalMs: config.hooks.outboxPollIntervalMs,
    alertAfterFailures: config.hooks.outboxAlertAfterFailures,
    alerts: resilience.alerts,
  });
  const intake = new HookIntake({
    db,
    log,
    metrics,
    signatures: new SourceSignatures({ db, box }),
    idempotencyRetentionMs: config.hooks.idempotencyRetentionHours * HOUR_MS,
    onAccepted: () => relay.wake(),
  });
  const auth = createServiceAuth(runtime, db, 'hooks');
  const { authenticator } = auth;

  const healthChecks = (): HealthCheck[] => [
    { name: 'database', critical: true, check: () => pingDatabase(db) },
    {
      name: 'event_bus',
      critical: false,
      check: async () => {
        await runtime.bus.ping();
        return { kind: runtime.bus.kind };
      },
    },
    {
      name: 'outbox',
      critical: false,
      check: async () => {
        const backlog = await outboxBacklog(db);
        return {
          pending: backlog.pending,
          oldest_pending_age_ms: backlog.oldestPendingAgeMs,
          // The relay's backoff-and-probe is the breaker on the event bus.
          publisher: relay.publisherState(),
        };
      },
    },
    ...resilience.healthChecks(),
  ];

  const app = createHttpServer({
    service: 'hooks',
    log,
    metrics: serviceMetrics,
    healthChecks,
    bodyLimitBytes: config.hooks.maxBodyBytes,
  });
  registerReceiveRoute(app, { intake, authenticator, maxBodyBytes: config.hooks.maxBodyBytes });
  resilience.registerRoutes(app, authenticator);
  mountSubgraph(app, {
    sdl: await readSubgraphSdl('hooks'),
    resolvers: createHookResolvers({ db, intake }),
    log,
    identity: auth.identity,
  });
  protectMetrics(app, auth.authenticator, config.auth.metricsRequireAuth);

  return new Service({
    name: 'hooks',
    app,
    host: config.host,
    port: config.ports.hooks,
    log,
    workers: [
      ...resilience.workers,
      relay,
      new CompletionConsumer({
        db,
        bus: runtime.bus,
        topic: runtime.topic(Topics.workflowCompletions),
        log,
        metrics,
      }),
      new RetentionSweeper({ db, log }),
    ],
    release: async () => {
      await auth.close();
      await db.end();
    },
  });
}
