/**
 * The whole system in the test process, as `npm start` runs it: one runtime, the four
 * services on free ports talking HTTP to each other, and an API key for the caller.
 */
import { ApiKeyStore, PERMISSIONS, type Permission } from '../../platform/auth/api-keys';
import { type Config, loadConfig } from '../../platform/config';
import { createDatabase } from '../../platform/db/pool';
import { createLogger } from '../../platform/logger';
import { type Runtime, createRuntime } from '../../platform/runtime';
import type { Service } from '../../platform/service';
import { createGatewayService } from '../../gateway/service';
import { createHooksService } from '../../subgraphs/hooks/service';
import { createModelMetricsService } from '../../subgraphs/model-metrics/service';
import { createWorkflowsService } from '../../subgraphs/workflows/service';
import { seedDefaultWorkflows } from '../../subgraphs/workflows/seed';
import { TEST_KAFKA_BROKERS, TEST_REDIS_URL, createTestDatabase, uniqueName } from './environment';
import { freePorts } from './ports';

export interface Stack {
  runtime: Runtime;
  config: Config;
  gatewayUrl: string;
  services: Service[];
  createApiKey(
    permissions?: readonly Permission[],
    options?: { expiresAt?: Date },
  ): Promise<string>;
  /** The id of a key created with createApiKey. */
  keyIdOf(key: string): Promise<string>;
  stop(): Promise<void>;
}

/** `env` is environment variables, as a user would set them. */
export async function startStack(env: Record<string, string>): Promise<Stack> {
  const [gateway, hooks, workflows, modelMetrics] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    GATEWAY_PORT: String(gateway),
    HOOKS_PORT: String(hooks),
    WORKFLOWS_PORT: String(workflows),
    MODEL_METRICS_PORT: String(modelMetrics),
    OUTBOX_POLL_INTERVAL_MS: '100',
    ...env,
  });
  const log = createLogger({ level: config.logLevel });
  const runtime = await createRuntime(config, log);
  const db = createDatabase({ url: runtime.databaseUrl, max: 2 }, log);
  await seedDefaultWorkflows(db);

  const services: Service[] = [];
  try {
    for (const create of [
      createModelMetricsService,
      createHooksService,
      createWorkflowsService,
      createGatewayService,
    ]) {
      const service = await create(runtime);
      await service.start();
      services.push(service);
    }
  } catch (error) {
    for (const service of services.reverse()) await service.stop();
    await db.end();
    await runtime.stop();
    throw error;
  }

  return {
    runtime,
    config,
    gatewayUrl: `http://${config.host}:${gateway}`,
    services,
    async createApiKey(permissions = PERMISSIONS, options = {}) {
      return (await new ApiKeyStore(db).create({ name: 'e2e', permissions, ...options })).key;
    },
    async keyIdOf(key) {
      const verification = await new ApiKeyStore(db).verify(key);
      if (!verification.ok) throw new Error(`key not valid: ${verification.reason}`);
      return verification.identity.keyId;
    },
    async stop() {
      for (const service of [...services].reverse()) await service.stop();
      await db.end();
      await runtime.stop();
    },
  };
}

/**
 * The whole system on the real PostgreSQL (a fresh database, dropped by stop()), Redis and
 * Kafka (a fresh topic prefix). `env` adds or overrides variables.
 */
export async function startRealServersStack(env: Record<string, string> = {}): Promise<Stack> {
  const database = await createTestDatabase();
  let stack: Stack;
  try {
    stack = await startStack({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      KAFKA_BROKERS: TEST_KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: `${uniqueName('stack')}.`,
      ...env,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const stop = stack.stop;
  return {
    ...stack,
    async stop() {
      await stop();
      await database.drop();
    },
  };
}
