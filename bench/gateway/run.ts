/**
 * Gateway throughput with every rate limit on (key, ip check, endpoint and cost tiers on
 * the real Redis, cost analysis, refunds, headers) against all limits off, in one run:
 * two gateways on the same small supergraph, measured in alternating phases (order
 * flipped each round) so drift on a shared machine hits both alike. Every Redis command the limited gateway sends is
 * counted on its client (no MONITOR), to show one round trip per request.
 *
 *   npx tsx bench/gateway/run.ts [--seconds 2] [--rounds 2] [--concurrency 16]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { Pool } from 'undici';

import { createGatewayService } from '../../gateway/service';
import { ApiKeyStore } from '../../platform/auth/api-keys';
import { createDatabase } from '../../platform/db/pool';
import { createLogger } from '../../platform/logger';
import { createRuntime } from '../../platform/runtime';
import { createTestDatabase, realServersConfig, uniqueName } from '../../tests/support/environment';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '16' },
  },
});
const PHASE_MS = Number(values.seconds) * 1000;
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);

const SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
  type Item @key(fields: "id") { id: ID! name: String! @cost(weight: 2) }
  type Query { items(first: Int = 5): [Item!]! @listSize(slicingArguments: ["first"]) }
`;
const QUERY = JSON.stringify({ query: '{ items(first: 5) { id name } }' });

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'onb-bench-gateway-'));
  const items = Array.from({ length: 5 }, (_, index) => ({
    id: String(index),
    name: `item ${index}`,
  }));
  const subgraphYoga = createYoga({
    schema: buildSubgraphSchema({
      typeDefs: parse(SDL),
      resolvers: { Query: { items: () => items } } as never,
    }),
    logging: false,
  });
  const subgraph: Server = createServer(subgraphYoga);
  await new Promise<void>((resolve) => subgraph.listen(0, '127.0.0.1', resolve));
  const subgraphUrl = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
  const composed = composeServices([{ name: 'catalog', url: subgraphUrl, typeDefs: parse(SDL) }]);
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  const supergraphPath = path.join(dir, 'supergraph.graphql');
  await writeFile(supergraphPath, composed.supergraphSdl);

  const prefix = `${uniqueName('bench_rl')}:`;
  const config = realServersConfig(database.url, {
    SUPERGRAPH_PATH: supergraphPath,
    KAFKA_BROKERS: '',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_KEY_PREFIX: prefix,
    // Generous limits: the bench measures the cost of deciding, not of refusing.
    RATE_LIMIT_KEY_PER_MINUTE: '10000000',
    RATE_LIMIT_COST_PER_MINUTE: '100000000',
  });
  const runtime = await createRuntime(config, createLogger({ level: config.logLevel }));
  const redis = runtime.redis;
  if (!redis) throw new Error('the bench needs REDIS_URL');

  // Count every command the limited gateway sends, by name, on its own client.
  const commands = new Map<string, number>();
  let counting = false;
  const sendCommand = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: { name: string }, stream?: unknown) => {
    if (counting) commands.set(command.name, (commands.get(command.name) ?? 0) + 1);
    return sendCommand(command as never, stream as never);
  }) as typeof redis.sendCommand;

  const limited = await createGatewayService(runtime);
  const unlimited = await createGatewayService({
    ...runtime,
    config: { ...config, rateLimit: { ...config.rateLimit, enabled: false } },
  });
  await limited.start();
  await unlimited.start();
  const db = createDatabase({ url: runtime.databaseUrl, max: 1 }, runtime.log);
  const { key } = await new ApiKeyStore(db).create({ name: 'bench', permissions: [] });
  await db.end();

  const totals = {
    on: { requests: 0, ms: 0, latencies: [] as number[] },
    off: { requests: 0, ms: 0, latencies: [] as number[] },
  };
  try {
    // Warm-up (JIT, connections, the script cache), not measured.
    for (const service of [limited, unlimited]) await load(service.url, key, 1_000, []);
    for (let round = 0; round < ROUNDS; round++) {
      // The order flips each round, so neither side always runs on a warmer machine.
      const sides = [
        ['off', unlimited],
        ['on', limited],
      ] as const;
      for (const [side, service] of round % 2 === 0 ? sides : [...sides].reverse()) {
        counting = side === 'on';
        const started = performance.now();
        const requests = await load(service.url, key, PHASE_MS, totals[side].latencies);
        totals[side].ms += performance.now() - started;
        totals[side].requests += requests;
        counting = false;
      }
    }
  } finally {
    await limited.stop();
    await unlimited.stop();
    const stored = await redis.keys(`${prefix}*`);
    if (stored.length > 0) await redis.del(...stored);
    await runtime.stop();
    subgraph.close();
    await rm(dir, { recursive: true, force: true });
    await database.drop();
  }

  const rate = (side: 'on' | 'off') => totals[side].requests / (totals[side].ms / 1000);
  const percentile = (side: 'on' | 'off', p: number) => {
    const sorted = [...totals[side].latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  };
  const totalCommands = [...commands.values()].reduce((sum, count) => sum + count, 0);
  console.log(
    `\nGateway with every rate limit on vs off (${ROUNDS} x ${PHASE_MS / 1000} s per side, ${CONCURRENCY} concurrent, loopback)\n`,
  );
  console.log('| limits | requests | req/s | p50 ms | p99 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const side of ['off', 'on'] as const) {
    console.log(
      `| ${side} | ${totals[side].requests} | ${rate(side).toFixed(0)} | ${percentile(side, 50).toFixed(2)} | ${percentile(side, 99).toFixed(2)} |`,
    );
  }
  console.log(
    `\nthroughput on/off: ${((rate('on') / rate('off')) * 100).toFixed(1)}% (target >= 90%)`,
  );
  console.log(
    `Redis commands while limits were on: ${totalCommands} for ${totals.on.requests} requests = ${(totalCommands / totals.on.requests).toFixed(3)} per request (${[...commands].map(([name, count]) => `${name} ${count}`).join(', ')})`,
  );
}

/** Sends the query from CONCURRENCY loops for `durationMs`; returns how many answered 200. */
async function load(
  url: string,
  apiKey: string,
  durationMs: number,
  latencies: number[],
): Promise<number> {
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
  const deadline = performance.now() + durationMs;
  let ok = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await pool.request({
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: QUERY,
      });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`answered ${response.statusCode}`);
      latencies.push(performance.now() - started);
      ok += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  await pool.close();
  return ok;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
