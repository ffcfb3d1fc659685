/**
 * Inference throughput: the local sentiment model called directly vs through the service
 * (HTTP, API-key check, validation, recording a row in PostgreSQL, metrics), concurrency
 * 16, one run each, side by side. Uses the real PostgreSQL of the tests (its own fresh
 * database, dropped afterwards); no Kafka is needed.
 *
 *   npx tsx bench/inference/run.ts [--seconds 3] [--concurrency 16]
 */
import { parseArgs } from 'node:util';

import { Pool } from 'undici';

import { createLogger } from '../../platform/logger';
import { createRuntime } from '../../platform/runtime';
import {
  createLocalSentimentProvider,
  LOCAL_SENTIMENT_MODEL,
} from '../../subgraphs/model-metrics/providers/local-sentiment';
import { createModelMetricsService } from '../../subgraphs/model-metrics/service';
import { createTestDatabase, realServersConfig } from '../../tests/support/environment';

const INPUT = 'The delivery was quick and the product works great, though the manual is confusing.';
const WARM_UP_MS = 500;

interface RunResult {
  requests: number;
  seconds: number;
  latenciesMs: number[];
}

/** Runs `call` from `concurrency` loops for `durationMs`; counts only what finished in time. */
async function load(
  call: () => Promise<void>,
  concurrency: number,
  durationMs: number,
): Promise<RunResult> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  const loop = async () => {
    while (performance.now() < deadline) {
      const callStarted = performance.now();
      await call();
      latenciesMs.push(performance.now() - callStarted);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return {
    requests: latenciesMs.length,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
    },
  });
  const durationMs = Number(values.seconds) * 1000;
  const concurrency = Number(values.concurrency);

  const database = await createTestDatabase();
  const config = realServersConfig(database.url, { KAFKA_BROKERS: '', LOG_LEVEL: 'silent' });
  const runtime = await createRuntime(config, createLogger({ level: 'silent', service: 'bench' }));
  const service = await createModelMetricsService(runtime);
  await service.start();
  const client = new Pool(service.url, { connections: concurrency, pipelining: 1 });

  try {
    const provider = createLocalSentimentProvider();
    const signal = new AbortController().signal;
    const direct = async () => {
      await provider.infer('sentiment', INPUT, { model: LOCAL_SENTIMENT_MODEL, signal });
    };
    const body = JSON.stringify({
      task_type: 'sentiment',
      input: INPUT,
      model: LOCAL_SENTIMENT_MODEL,
    });
    const throughService = async () => {
      const response = await client.request({
        method: 'POST',
        path: '/api/v1/model-metrics/infer',
        headers: { 'content-type': 'application/json', 'x-api-key': runtime.serviceApiKey },
        body,
      });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`infer answered ${response.statusCode}`);
    };

    await load(direct, concurrency, WARM_UP_MS);
    const directRun = await load(direct, concurrency, durationMs);
    await load(throughService, concurrency, WARM_UP_MS);
    const cpuBefore = process.cpuUsage();
    const serviceRun = await load(throughService, concurrency, durationMs);
    const cpu = process.cpuUsage(cpuBefore);

    const rate = (run: RunResult) => run.requests / run.seconds;
    const rows = [
      ['provider function, direct', directRun],
      ['POST /infer through the service', serviceRun],
    ] as const;
    console.log(
      `\nbench/inference: local sentiment (${LOCAL_SENTIMENT_MODEL}), concurrency ${concurrency}, ${values.seconds} s each\n`,
    );
    console.log('| path | requests | req/s | p50 ms | p99 ms |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const [name, run] of rows) {
      const sorted = [...run.latenciesMs].sort((a, b) => a - b);
      console.log(
        `| ${name} | ${run.requests} | ${rate(run).toFixed(0)} | ${percentile(sorted, 0.5).toFixed(3)} | ${percentile(sorted, 0.99).toFixed(3)} |`,
      );
    }
    const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / serviceRun.requests;
    console.log(
      `\nservice / direct throughput: ${(rate(serviceRun) / rate(directRun)).toFixed(4)}; ` +
        `CPU per service request (client + service, one process): ${cpuMsPerRequest.toFixed(3)} ms`,
    );
  } finally {
    await client.close();
    await service.stop();
    await runtime.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
