/**
 * The gateway as a general federation gateway: any supergraph file, here composed from
 * two small subgraphs made in the test, is served; a rewritten file is applied without a
 * restart; a subgraph that is down costs only the fields it owns.
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

import { createGatewayService } from '../../../gateway/service';
import { ApiKeyStore } from '../../../platform/auth/api-keys';
import { createDatabase } from '../../../platform/db/pool';
import { createLogger } from '../../../platform/logger';
import { type Runtime, createRuntime } from '../../../platform/runtime';
import type { Service } from '../../../platform/service';
import { createTestDatabase, realServersConfig } from '../../support/environment';

const PRODUCTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Product @key(fields: "upc") { upc: ID! name: String! }
  type Query { topProducts: [Product!]! }
`;
const reviewsSdl = (withRating: boolean) => `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Product @key(fields: "upc") { upc: ID! reviews: [Review!] }
  type Review { body: String! ${withRating ? 'rating: Int!' : ''} }
`;

function startSubgraph(sdl: string, resolvers: object): Promise<{ server: Server; url: string }> {
  const yoga = createYoga({
    schema: buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }),
    logging: false,
  });
  const server = createServer(yoga);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
      }),
    ),
  );
}

function compose(subgraphs: Array<{ name: string; url: string; sdl: string }>): string {
  const result = composeServices(
    subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
  );
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

describe('gateway on an arbitrary supergraph', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let supergraphPath: string;
  let products: { server: Server; url: string };
  let reviews: { server: Server; url: string };
  let runtime: Runtime;
  let gateway: Service;
  let apiKey: string;
  let adminKey: string;

  const query = async (document: string) => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ query: document }),
    });
    return (await response.json()) as {
      data?: { topProducts: Array<Record<string, unknown>> };
      errors?: Array<{ message: string }>;
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'onb-supergraph-'));
    supergraphPath = path.join(dir, 'supergraph.graphql');
    products = await startSubgraph(PRODUCTS_SDL, {
      Query: {
        topProducts: () => [
          { upc: '1', name: 'Chair' },
          { upc: '2', name: 'Desk' },
        ],
      },
    });
    reviews = await startSubgraph(reviewsSdl(true), {
      Product: {
        __resolveReference: (ref: { upc: string }) => ({
          upc: ref.upc,
          reviews: [{ body: `review of ${ref.upc}`, rating: 5 }],
        }),
      },
    });
    await writeFile(
      supergraphPath,
      compose([
        { name: 'products', url: products.url, sdl: PRODUCTS_SDL },
        { name: 'reviews', url: reviews.url, sdl: reviewsSdl(false) },
      ]),
    );

    const config = realServersConfig(database.url, {
      SUPERGRAPH_PATH: supergraphPath,
      METRICS_REQUIRE_AUTH: 'true',
      CIRCUIT_BREAKER_FAILURE_THRESHOLD: '2',
    });
    runtime = await createRuntime(config, createLogger({ level: config.logLevel }));
    gateway = await createGatewayService(runtime);
    await gateway.start();
    const db = createDatabase({ url: runtime.databaseUrl, max: 1 }, runtime.log);
    apiKey = (await new ApiKeyStore(db).create({ name: 'test', permissions: [] })).key;
    adminKey = (await new ApiKeyStore(db).create({ name: 'admin', permissions: ['admin:read'] }))
      .key;
    await db.end();
  });

  afterAll(async () => {
    await gateway?.stop();
    await runtime?.stop();
    products?.server.close();
    reviews?.server.close();
    await rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('plans one query across both subgraphs', async () => {
    const result = await query('{ topProducts { name reviews { body } } }');

    expect(result.errors).toBeUndefined();
    expect(result.data?.topProducts).toEqual([
      { name: 'Chair', reviews: [{ body: 'review of 1' }] },
      { name: 'Desk', reviews: [{ body: 'review of 2' }] },
    ]);
  });

  it('applies a rewritten supergraph file without a restart', async () => {
    const before = await query('{ topProducts { reviews { rating } } }');
    expect(before.errors?.[0]?.message).toMatch(/Cannot query field "rating"/);

    await writeFile(
      supergraphPath,
      compose([
        { name: 'products', url: products.url, sdl: PRODUCTS_SDL },
        { name: 'reviews', url: reviews.url, sdl: reviewsSdl(true) },
      ]),
    );

    let after = await query('{ topProducts { reviews { rating } } }');
    for (let attempt = 0; attempt < 50 && after.errors; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await query('{ topProducts { reviews { rating } } }');
    }
    expect(after.errors).toBeUndefined();
    expect(after.data?.topProducts[0]).toEqual({ reviews: [{ rating: 5 }] });
  });

  it('keeps a broken supergraph file from replacing the working one', async () => {
    await writeFile(supergraphPath, 'this is not a supergraph');
    await new Promise((resolve) => setTimeout(resolve, 500));

    const result = await query('{ topProducts { name } }');
    expect(result.data?.topProducts).toHaveLength(2);
  });

  it('answers with partial data and an error when a subgraph is down', async () => {
    await new Promise((resolve) => reviews.server.close(resolve));
    reviews.server.closeAllConnections();

    const started = Date.now();
    const result = await query('{ topProducts { name reviews { body } } }');

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.data?.topProducts).toEqual([
      { name: 'Chair', reviews: null },
      { name: 'Desk', reviews: null },
    ]);
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/reviews subgraph is unavailable/),
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'reviews' },
    });

    const health = (await (await fetch(`${gateway.url}/health`)).json()) as {
      status: string;
      dependencies: Record<string, { status: string }>;
    };
    expect(health.dependencies['subgraph:reviews']?.status).toBe('down');
    expect(health.dependencies['subgraph:products']?.status).toBe('up');
    expect(health.status).toBe('degraded');
  });

  it('fails a down subgraph fast once its circuit breaker opened', async () => {
    // The previous test's failure was the first; this one is the second and opens the breaker.
    await query('{ topProducts { name reviews { body } } }');

    const started = Date.now();
    const result = await query('{ topProducts { name reviews { body } } }');

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.data?.topProducts).toEqual([
      { name: 'Chair', reviews: null },
      { name: 'Desk', reviews: null },
    ]);
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/reviews subgraph is failing \(its circuit breaker is open\)/),
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'reviews', circuit_breaker: 'OPEN' },
    });
    const health = (await (await fetch(`${gateway.url}/health`)).json()) as {
      dependencies: { circuit_breakers: Record<string, { state: string }> };
    };
    expect(health.dependencies.circuit_breakers['subgraph:reviews']?.state).toBe('OPEN');
    expect(health.dependencies.circuit_breakers['subgraph:products']?.state).toBe('CLOSED');
  });

  it('serves /metrics only to admin:read when METRICS_REQUIRE_AUTH is set', async () => {
    const metrics = (key?: string) =>
      fetch(`${gateway.url}/metrics`, { headers: key ? { 'x-api-key': key } : {} });

    expect((await metrics()).status).toBe(401);
    expect((await metrics(apiKey)).status).toBe(403);
    const allowed = await metrics(adminKey);
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/http_request_duration_seconds/);
  });
});
