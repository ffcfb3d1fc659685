/**
 * Rate limits end to end through the gateway on the real Redis: a small supergraph with
 * cost directives (its subgraph counts the calls it gets) and a stand-in for the
 * workflows REST routes. Each test uses its own API key, so tiers start empty.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { Redis } from 'ioredis';

import { createGatewayService } from '../../../gateway/service';
import { ApiKeyStore, type Permission } from '../../../platform/auth/api-keys';
import { createRedis } from '../../../platform/cache/redis';
import { createDatabase } from '../../../platform/db/pool';
import { createLogger } from '../../../platform/logger';
import { RedisLimiterStore } from '../../../platform/rate-limit/redis-limiter-store';
import { type Runtime, createRuntime } from '../../../platform/runtime';
import type { Service } from '../../../platform/service';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  realServersConfig,
  uniqueName,
} from '../../support/environment';
import { freePorts } from '../../support/ports';

const CATALOG_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
  type Item @key(fields: "id") { id: ID! name: String! @cost(weight: 2) }
  type Query {
    items(first: Int = 5): [Item!]! @listSize(slicingArguments: ["first"])
    workflow(id: ID!): Item
  }
  type Mutation { executeWorkflow(name: String!): Item! @cost(weight: 20) }
`;
// items(first: n) { id name } costs n * (1 + 2); the subgraph always answers two items.
const itemsQuery = (first: number) => `{ items(first: ${first}) { id name } }`;

interface GraphqlAnswer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    extensions?: {
      cost?: {
        requestedQueryCost: number;
        actualQueryCost: number;
        throttleStatus: { currentlyAvailable: number };
      };
    };
  };
}

describe('gateway rate limits on real Redis', () => {
  const prefix = `${uniqueName('rl_gw')}:`;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let catalog: Server;
  let restStandIn: Server;
  let catalogCalls = 0;
  let restCalls = 0;
  let runtime: Runtime;
  let gateway: Service;
  let keys: ApiKeyStore;
  let closeKeys: () => Promise<void>;
  let auditCount: (keyId: string) => Promise<number>;
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });

  const newKey = async (permissions: Permission[] = []) => {
    const created = await keys.create({ name: uniqueName('rl'), permissions });
    return { key: created.key, id: created.id };
  };

  const graphql = async (
    base: string,
    apiKey: string | undefined,
    query: string,
  ): Promise<GraphqlAnswer> => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as GraphqlAnswer['body'],
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'onb-rate-limit-'));
    const yoga = createYoga({
      schema: buildSubgraphSchema({
        typeDefs: parse(CATALOG_SDL),
        resolvers: {
          Query: {
            items: () => [
              { id: '1', name: 'one' },
              { id: '2', name: 'two' },
            ],
            workflow: (_root: unknown, args: { id: string }) => ({ id: args.id, name: 'run' }),
          },
          Mutation: {
            executeWorkflow: (_root: unknown, args: { name: string }) => ({
              id: 'w',
              name: args.name,
            }),
          },
        } as never,
      }),
      logging: false,
    });
    catalog = createServer((req, res) => {
      catalogCalls += 1;
      void yoga(req, res);
    });
    await new Promise<void>((resolve) => catalog.listen(0, '127.0.0.1', resolve));
    restStandIn = createServer((req, res) => {
      restCalls += 1;
      req.resume();
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end('{"workflow_id":"w","status":"pending"}');
    });
    await new Promise<void>((resolve) => restStandIn.listen(0, '127.0.0.1', resolve));

    const catalogUrl = `http://127.0.0.1:${(catalog.address() as AddressInfo).port}/graphql`;
    const composed = composeServices([
      { name: 'catalog', url: catalogUrl, typeDefs: parse(CATALOG_SDL) },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
    const supergraphPath = path.join(dir, 'supergraph.graphql');
    await writeFile(supergraphPath, composed.supergraphSdl);

    const config = realServersConfig(database.url, {
      SUPERGRAPH_PATH: supergraphPath,
      KAFKA_BROKERS: '',
      WORKFLOWS_URL: `http://127.0.0.1:${(restStandIn.address() as AddressInfo).port}`,
      RATE_LIMIT_KEY_PREFIX: prefix,
      RATE_LIMIT_IP_PER_MINUTE: '5',
      RATE_LIMIT_KEY_PER_MINUTE: '20',
      RATE_LIMIT_WORKFLOW_EXECUTE_PER_MINUTE: '3',
      RATE_LIMIT_COST_PER_MINUTE: '200',
      GRAPHQL_MAX_COST: '100',
    });
    runtime = await createRuntime(config, createLogger({ level: config.logLevel }));
    gateway = await createGatewayService(runtime);
    await gateway.start();
    const db = createDatabase({ url: runtime.databaseUrl, max: 1 }, runtime.log);
    keys = new ApiKeyStore(db);
    closeKeys = () => db.end();
    auditCount = async (keyId) => {
      const result = await db.query<{ count: string }>(
        "SELECT count(*) FROM audit_log WHERE action = 'rate_limit.exceeded' AND key_id = $1",
        [keyId],
      );
      return Number(result.rows[0]?.count ?? 0);
    };
  });

  afterAll(async () => {
    await gateway?.stop();
    await runtime?.stop();
    await closeKeys?.();
    catalog?.closeAllConnections();
    catalog?.close();
    restStandIn?.closeAllConnections();
    restStandIn?.close();
    const stored = await redis.keys(`${prefix}*`);
    if (stored.length > 0) await redis.del(...stored);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('sends the limit headers and extensions.cost on a successful answer', async () => {
    const { key } = await newKey();
    const answer = await graphql(gateway.url, key, itemsQuery(10));

    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-ratelimit-limit')).toBe('20');
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('19');
    expect(Number(answer.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(answer.headers.get('ratelimit-policy')).toBe('"key";q=20;w=60');
    expect(answer.headers.get('ratelimit')).toBe('"key";r=19;t=60');
    expect(answer.body.extensions?.cost).toEqual({
      requestedQueryCost: 30,
      actualQueryCost: 6,
      maximumQueryCost: 100,
      throttleStatus: { maximumAvailable: 200, currentlyAvailable: 194, windowSeconds: 60 },
    });
  });

  it('refunds the unused estimate in the next decision', async () => {
    const { key } = await newKey();
    await graphql(gateway.url, key, itemsQuery(30)); // charges 90, uses 6: 84 come back
    await graphql(gateway.url, key, itemsQuery(30));
    const third = await graphql(gateway.url, key, itemsQuery(30));

    // Without refunds the third (90 more, 270 in all) would not fit the budget of 200.
    expect(third.status).toBe(200);
    expect(third.body.extensions?.cost?.throttleStatus.currentlyAvailable).toBe(200 - 3 * 6);
  });

  it('refuses a query over the per-request maximum before any subgraph is called', async () => {
    const { key } = await newKey();
    const before = catalogCalls;
    const answer = await graphql(gateway.url, key, itemsQuery(40)); // 120 > 100

    expect(answer.body.data ?? null).toBeNull();
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({
      code: 'MAX_COST_EXCEEDED',
      cost: { requestedQueryCost: 120, maximumQueryCost: 100 },
    });
    expect(catalogCalls).toBe(before);
  });

  it('admits exactly the key limit under concurrent load and answers 429 with retry information', async () => {
    const { key, id } = await newKey();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => graphql(gateway.url, key, '{ __typename }')),
    );

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(20);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(10);
    const sample = refused[0] as GraphqlAnswer;
    expect(sample.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      tier: 'key',
      limit: 20,
    });
    expect(sample.body.errors?.[0]?.extensions?.['retry_after']).toBeGreaterThan(0);
    expect(sample.body.errors?.[0]?.extensions?.['http']).toBeUndefined();
    expect(Number(sample.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(sample.headers.get('x-ratelimit-limit')).toBe('20');
    expect(sample.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(sample.headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+$/);

    // Each refusal is in the audit log (written asynchronously, failures first).
    for (let attempt = 0; attempt < 50 && (await auditCount(id)) < 10; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await auditCount(id)).toBe(10);
  });

  it('applies a reputation change to the next request, and lets an admin read and reset it', async () => {
    const { key, id } = await newKey();
    const admin = await newKey(['admin:read', 'admin:write']);
    await new RedisLimiterStore(redis, prefix).writeReputation(id, 0.8);

    const answers = await Promise.all(
      Array.from({ length: 40 }, () => graphql(gateway.url, key, '{ __typename }')),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(30); // 20 * 1.5

    const url = `${gateway.url}/admin/v1/rate-limits/reputation/${id}`;
    const read = await fetch(url, { headers: { 'x-api-key': admin.key } });
    const state = (await read.json()) as { reputation: number; key_limit_per_minute: number };
    // Ten refusals at 0.05 each, a few successes at 0.0001 each.
    expect(state.reputation).toBeCloseTo(0.3, 2);
    expect(state.key_limit_per_minute).toBe(17);

    expect((await fetch(url, { headers: { 'x-api-key': key } })).status).toBe(403);
    const reset = await fetch(url, { method: 'DELETE', headers: { 'x-api-key': admin.key } });
    expect(await reset.json()).toMatchObject({
      reputation: 0.4,
      stored: false,
      key_limit_per_minute: 20,
    });
  });

  it('limits workflow starts per caller across REST and GraphQL with one budget', async () => {
    const { key } = await newKey();
    const before = restCalls;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${gateway.url}/api/v1/workflows/execute`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: '{"definition_name":"x"}',
        }),
      ),
    );

    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(3);
    expect(restCalls - before).toBe(3);
    const refused = answers.find((answer) => answer.status === 429) as Response;
    expect(refused.headers.get('x-ratelimit-resource')).toBe('workflow-execute');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toEqual({
      error: 'RATE_LIMITED',
      message: expect.stringMatching(/workflow-execute/),
      request_id: expect.any(String),
      timestamp: expect.any(String),
      tier: 'workflow-execute',
      limit: 3,
      retry_after: expect.any(Number),
    });

    const mutation = await graphql(
      gateway.url,
      key,
      'mutation { executeWorkflow(name: "x") { id } }',
    );
    expect(mutation.status).toBe(429);
    expect(mutation.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      tier: 'workflow-execute',
    });
  });

  // Last of the shared gateway's tests: it leaves 127.0.0.1 refused for a minute.
  it('limits anonymous callers per address before authentication', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => graphql(gateway.url, undefined, '{ __typename }')),
    );
    const statuses = answers.map((answer) => answer.status).sort();

    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const refused = answers.find((answer) => answer.status === 429) as GraphqlAnswer;
    expect(refused.headers.get('x-ratelimit-limit')).toBe('5');
    expect(refused.body).toMatchObject({
      error: 'RATE_LIMITED',
      retry_after: expect.any(Number),
      request_id: expect.any(String),
    });

    // The address is now refused for keyed requests too, without reaching the key's limit.
    const { key } = await newKey();
    expect((await graphql(gateway.url, key, '{ __typename }')).status).toBe(429);
  });

  describe.each(['open', 'closed'] as const)('with Redis unreachable, failing %s', (mode) => {
    let outage: Service;
    let deadRedis: ReturnType<typeof createRedis>;

    beforeAll(async () => {
      deadRedis = createRedis(`redis://127.0.0.1:${(await freePorts(1))[0]}`, runtime.log);
      await deadRedis.connect().catch(() => undefined);
      const config = {
        ...runtime.config,
        rateLimit: { ...runtime.config.rateLimit, failureMode: mode },
      };
      outage = await createGatewayService({ ...runtime, config, redis: deadRedis });
      await outage.start();
    });

    afterAll(async () => {
      await outage?.stop();
      deadRedis?.disconnect();
    });

    it(mode === 'open' ? 'serves without limits' : 'answers 503 with Retry-After', async () => {
      const { key } = await newKey();
      const answer = await graphql(outage.url, key, '{ __typename }');
      const metrics = await (await fetch(`${outage.url}/metrics`)).text();

      expect(metrics).toMatch(
        new RegExp(`rate_limit_store_failures_total\\{mode="${mode}"[^}]*\\} [1-9]`),
      );
      expect(metrics).toMatch(/rate_limit_alerts_total\{kind="rate_limiter_unavailable"[^}]*\} 1/);
      if (mode === 'open') {
        expect(answer.status).toBe(200);
        expect(answer.body.data).toEqual({ __typename: 'Query' });
        expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
      } else {
        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).toBe('5');
        expect(answer.body.errors?.[0]?.extensions).toMatchObject({
          code: 'RATE_LIMITER_UNAVAILABLE',
          retry_after: 5,
        });
      }
    });
  });
});
