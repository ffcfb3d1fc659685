/**
 * What the services of one process share: configuration, the root logger, and the
 * infrastructure chosen by that configuration (real PostgreSQL, Redis and Kafka, or the
 * embedded parts). Each service makes its own database pool from `databaseUrl`.
 */
import { randomBytes } from 'node:crypto';

import { ApiKeyStore, PERMISSIONS, generateApiKey } from './auth/api-keys';
import { LocalRevocationFeed, RedisRevocationFeed, type RevocationFeed } from './auth/revocations';
import { type Config, loadConfig } from './config';
import { type RedisClient, createRedis } from './cache/redis';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './db/embedded-postgres';
import { createDatabase } from './db/pool';
import { migrate } from './db/migrate';
import type { EventBus } from './events/event-bus';
import { KafkaEventBus } from './events/kafka-event-bus';
import { MemoryEventBus } from './events/memory-event-bus';
import { Topics, topicName } from './events/topics';
import { type Logger, createLogger } from './logger';

export interface Runtime {
  config: Config;
  log: Logger;
  databaseUrl: string;
  bus: EventBus;
  /** Undefined in the embedded default: callers use their in-process store instead. */
  redis: RedisClient | undefined;
  /** The key this process's services present to each other; registered with every permission. */
  serviceApiKey: string;
  /** Signs and verifies the identity the gateway passes to subgraphs. */
  identitySecret: string;
  /** Key revocations, broadcast to every replica. */
  revocations: RevocationFeed;
  /** Full topic name with the configured prefix. */
  topic(name: (typeof Topics)[keyof typeof Topics]): string;
  stop(): Promise<void>;
}

export async function createRuntime(
  config: Config = loadConfig(),
  log: Logger = createLogger({ level: config.logLevel }),
): Promise<Runtime> {
  let embeddedPostgres: EmbeddedPostgres | undefined;
  const databaseUrl =
    config.database.url ??
    (embeddedPostgres = await startEmbeddedPostgres({ dataDir: config.dataDir, log })).url;

  // Migrations run once per runtime, before any service opens its pool.
  const migrationPool = createDatabase({ url: databaseUrl, max: 1 }, log);
  const serviceApiKey = config.serviceApiKey ?? generateApiKey();
  try {
    await migrate(migrationPool, log);
    await new ApiKeyStore(migrationPool).create({
      name: 'internal-services',
      permissions: PERMISSIONS,
      key: serviceApiKey,
    });
  } finally {
    await migrationPool.end();
  }

  const bus: EventBus = config.kafka.brokers
    ? new KafkaEventBus({
        brokers: config.kafka.brokers,
        clientId: config.kafka.clientId,
        groupPrefix: config.kafka.topicPrefix,
        log,
      })
    : new MemoryEventBus(log);
  const topic = (name: (typeof Topics)[keyof typeof Topics]) =>
    topicName(config.kafka.topicPrefix, name);
  await bus.ensureTopics(Object.values(Topics).map(topic));

  let redis: RedisClient | undefined;
  if (config.redis.url) {
    redis = createRedis(config.redis.url, log);
    await redis.connect().catch((error: Error) => {
      // Redis is optional at start: rate limits fail open (or closed) until it returns.
      log.warn({ err: error }, 'redis not reachable at start; continuing');
    });
  }

  const revocations: RevocationFeed = redis
    ? new RedisRevocationFeed(redis, log)
    : new LocalRevocationFeed();

  return {
    config,
    log,
    databaseUrl,
    bus,
    redis,
    serviceApiKey,
    // Unset, a per-process secret: enough when the services share this process.
    identitySecret: config.auth.identitySecret ?? randomBytes(32).toString('hex'),
    revocations,
    topic,
    async stop() {
      await revocations.close();
      await bus.close();
      redis?.disconnect();
      await embeddedPostgres?.stop();
    },
  };
}
