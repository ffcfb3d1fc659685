/**
 * `npm start [service...]`: runs the named services (default: all four) in this process.
 *
 * With DATABASE_URL, REDIS_URL and KAFKA_BROKERS unset it runs on the embedded default
 * (PGlite under DATA_DIR, an in-process event bus and limiter store), creates a
 * development API key and the demo workflow, and prints how to use them.
 */
import { ApiKeyStore, PERMISSIONS } from '../platform/auth/api-keys';
import { type ServiceName, isEmbedded, loadConfig } from '../platform/config';
import { createDatabase } from '../platform/db/pool';
import { createLogger } from '../platform/logger';
import { createRuntime, type Runtime } from '../platform/runtime';
import type { Service } from '../platform/service';
import { createGatewayService } from '../gateway/service';
import { createHooksService } from '../subgraphs/hooks/service';
import { createModelMetricsService } from '../subgraphs/model-metrics/service';
import { createWorkflowsService } from '../subgraphs/workflows/service';
import { seedDefaultWorkflows } from '../subgraphs/workflows/seed';

const SERVICE_NAMES: readonly ServiceName[] = ['model-metrics', 'hooks', 'workflows', 'gateway'];

const factories: Record<ServiceName, (runtime: Runtime) => Promise<Service>> = {
  'model-metrics': createModelMetricsService,
  hooks: createHooksService,
  workflows: createWorkflowsService,
  gateway: createGatewayService,
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !SERVICE_NAMES.includes(name as ServiceName));
  if (unknown.length > 0) {
    console.error(
      `unknown service(s): ${unknown.join(', ')}; choose from ${SERVICE_NAMES.join(', ')}`,
    );
    process.exit(2);
  }
  const names =
    requested.length > 0 ? SERVICE_NAMES.filter((name) => requested.includes(name)) : SERVICE_NAMES;

  const config = loadConfig();
  const log = createLogger({ level: config.logLevel });
  const runtime = await createRuntime(config, log);
  const devKey = await prepareDevelopment(runtime, names);

  const services: Service[] = [];
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    for (const service of [...services].reverse()) await service.stop();
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  for (const name of names) {
    const service = await factories[name](runtime);
    await service.start();
    services.push(service);
  }
  printBanner(runtime, services, devKey);
}

/** The development key and demo workflow: created in embedded mode, or when DEV_API_KEY is set. */
async function prepareDevelopment(
  runtime: Runtime,
  names: readonly ServiceName[],
): Promise<string | undefined> {
  const { config } = runtime;
  if (!isEmbedded(config) && !config.devApiKey) return undefined;
  const db = createDatabase({ url: runtime.databaseUrl, max: 1 }, runtime.log);
  try {
    const created = await new ApiKeyStore(db).create({
      name: 'development',
      permissions: PERMISSIONS,
      ...(config.devApiKey ? { key: config.devApiKey } : {}),
    });
    if (names.includes('workflows')) await seedDefaultWorkflows(db);
    return created.key;
  } finally {
    await db.end();
  }
}

function printBanner(runtime: Runtime, services: Service[], devKey: string | undefined): void {
  const { config } = runtime;
  const lines = ['', 'OmniNode Bridge is running', ''];
  for (const service of services) lines.push(`  ${service.name.padEnd(14)} ${service.url}`);
  const gateway = services.find((service) => service.name === 'gateway');
  if (gateway) {
    lines.push(
      '',
      `  GraphQL        ${gateway.url}/graphql${config.gateway.graphiql ? '   (GraphiQL in a browser)' : ''}`,
    );
    lines.push(
      `  Subscriptions  ${gateway.url.replace('http', 'ws')}/graphql (graphql-ws) or SSE on the same URL`,
    );
    lines.push(`  Webhooks       POST ${gateway.url}/api/v1/hooks/receive`);
  }
  lines.push(
    '',
    `  Database       ${config.database.url ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}/pglite`}`,
    `  Events         ${config.kafka.brokers ? `Kafka ${config.kafka.brokers.join(',')}` : 'in-process event bus (set KAFKA_BROKERS for Kafka)'}`,
    `  Limiter store  ${config.redis.url ? 'Redis (REDIS_URL)' : 'in-process (set REDIS_URL for Redis)'}`,
  );
  if (devKey) {
    lines.push('', `  Development API key (every permission): ${devKey}`);
    if (gateway) {
      lines.push(
        '',
        '  Try the demo workflow (sentiment of a message):',
        `    curl -s -X POST ${gateway.url}/api/v1/hooks/receive -H 'X-API-Key: ${devKey}' \\`,
        `      -H 'content-type: application/json' \\`,
        `      -d '{"source":"demo","action":"message.created","resource":"message","resource_id":"m-1","data":{"text":"I love this product"}}'`,
      );
    }
  }
  console.log(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
