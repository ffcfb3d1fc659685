/**
 * Starts the model-metrics service on a fresh database of the real PostgreSQL for one
 * test file, with API keys of known permissions. The service uses no events, so the
 * in-process bus stands in for Kafka here.
 */
import pg from 'pg';

import { ApiKeyStore, type Permission } from '../../../platform/auth/api-keys';
import { createLogger } from '../../../platform/logger';
import { createRuntime, type Runtime } from '../../../platform/runtime';
import type { Service } from '../../../platform/service';
import {
  createModelMetricsService,
  type ModelMetricsServiceOptions,
} from '../../../subgraphs/model-metrics/service';
import { createTestDatabase, realServersConfig } from '../../support/environment';
import { gatewayIdentityHeaders } from '../../support/identity';

export interface Harness {
  service: Service;
  runtime: Runtime;
  db: pg.Pool;
  url: string;
  keyWith(permissions: Permission[]): Promise<string>;
  invocationCount(): Promise<number>;
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  graphql(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{
    data?: Record<string, unknown>;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  }>;
  close(): Promise<void>;
}

export async function startHarness(
  env: Record<string, string> = {},
  options: ModelMetricsServiceOptions = {},
): Promise<Harness> {
  const database = await createTestDatabase();
  const config = realServersConfig(database.url, { KAFKA_BROKERS: '', ...env });
  const runtime = await createRuntime(
    config,
    createLogger({ level: config.logLevel, service: 'test' }),
  );
  const service = await createModelMetricsService(runtime, options);
  await service.start();
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  const keys = new ApiKeyStore(db);

  const post: Harness['post'] = async (path, body, headers = {}) => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  return {
    service,
    runtime,
    db,
    url: service.url,
    keyWith: async (permissions) => (await keys.create({ name: 'test', permissions })).key,
    invocationCount: async () =>
      (await db.query<{ count: number }>('SELECT count(*)::int AS count FROM model_invocations'))
        .rows[0]?.count ?? -1,
    post,
    // Subgraph GraphQL trusts only the gateway's signed identity: stand in for the gateway.
    graphql: async (query, variables = {}) =>
      (await post('/graphql', { query, variables }, await gatewayIdentityHeaders(runtime))).body,
    async close() {
      await service.stop();
      await db.end();
      await runtime.stop();
      await database.drop();
    },
  };
}
