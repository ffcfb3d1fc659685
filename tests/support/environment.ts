/**
 * The real servers integration and e2e tests use, and helpers that give each test file
 * its own PostgreSQL database and Kafka topic prefix so files can run in parallel.
 *
 * Override with TEST_DATABASE_URL (a server URL whose database is used to CREATE DATABASE),
 * TEST_REDIS_URL and TEST_KAFKA_BROKERS.
 */
import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { type Config, loadConfig } from '../../platform/config';

export const TEST_DATABASE_URL =
  process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const TEST_KAFKA_BROKERS = process.env['TEST_KAFKA_BROKERS'] ?? '127.0.0.1:9092';
/** Seals stored secrets in tests: one random key per test process, like a deployment's. */
const TEST_SECRETS_KEY = randomBytes(32).toString('base64');

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Creates an empty database for one test file; returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName('onb_test');
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Configuration for a test on the real servers: free ports (0), a fresh topic prefix, quiet
 * logs. `overrides` are environment variables.
 */
export function realServersConfig(
  databaseUrl: string,
  overrides: Record<string, string> = {},
): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: `${uniqueName('t')}.`,
    GATEWAY_PORT: '0',
    HOOKS_PORT: '0',
    WORKFLOWS_PORT: '0',
    MODEL_METRICS_PORT: '0',
    HOOK_SECRETS_KEY: TEST_SECRETS_KEY,
    ...overrides,
  });
}
