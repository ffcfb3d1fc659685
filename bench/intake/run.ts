/**
 * Webhook intake throughput and latency at concurrency 64: POST /api/v1/hooks/receive
 * through the real hooks service (API-key check, validation, audit hash, CloudEvents
 * envelope, group commit of event + history + outbox in PostgreSQL, 202 after COMMIT)
 * against raw pg inserting the same rows from the same number of loops through a pool of
 * the same size. Two baselines: one transaction per webhook (BEGIN, the insert, COMMIT: what
 * the intake did before group commit) and one autocommit statement per webhook (the fewest
 * round trips a per-request writer can have). Phases alternate, order rotated each round,
 * so drift on the shared machine hits every path alike.
 *
 * The service runs in its own process (bench/intake/serve.ts), as it would in production:
 * the load generator's HTTP client is not the service's work and must not share its
 * event loop. The baselines' pg driver runs here; it is the work they measure.
 *
 * Real PostgreSQL at 127.0.0.1:5432, two fresh databases (the intake's and the baselines'),
 * dropped afterwards. The event bus is the in-process one: the outbox relay still reads
 * and marks every row in the intake's database (its PostgreSQL load is in the numbers),
 * but a Kafka broker's CPU on the two shared cores would measure Kafka, not intake, and
 * the baselines publish nothing either.
 *
 *   npx tsx bench/intake/run.ts [--seconds 3] [--rounds 2] [--concurrency 64] [--idempotency-keys]
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import pg from 'pg';
import { Pool } from 'undici';

import { migrate } from '../../platform/db/migrate';
import { createEnvelope } from '../../platform/events/envelope';
import { EventTypes } from '../../platform/events/topics';
import { createLogger } from '../../platform/logger';
import { createTestDatabase } from '../../tests/support/environment';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '64' },
    'idempotency-keys': { type: 'boolean', default: false },
  },
});
const PHASE_MS = Number(values.seconds) * 1000;
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const WITH_KEYS = values['idempotency-keys'];
const WARM_UP_MS = 500;

interface Path {
  name: string;
  call(n: number): Promise<void>;
  requests: number;
  seconds: number;
  latenciesMs: number[];
}

let sequence = 0;

/** Runs `path` from CONCURRENCY loops for `durationMs`; counts only what finished in time. */
async function load(path: Path, durationMs: number, record: boolean): Promise<void> {
  const started = performance.now();
  const deadline = started + durationMs;
  const loop = async () => {
    while (performance.now() < deadline) {
      const callStarted = performance.now();
      await path.call((sequence += 1));
      if (record) path.latenciesMs.push(performance.now() - callStarted);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  if (!record) return;
  path.requests = path.latenciesMs.length;
  path.seconds += (performance.now() - started) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

const payloadOf = (n: number) => ({
  source: 'bench',
  action: 'created',
  resource: 'order',
  resource_id: `order-${n}`,
  data: { n, total_cents: 1999, currency: 'EUR', note: 'a webhook of ordinary size' },
});

/** The statement the intake used per webhook before group commit, written out for raw pg. */
function singleInsert(n: number): { text: string; values: unknown[] } {
  const payload = payloadOf(n);
  const id = randomUUID();
  const at = new Date();
  const body = JSON.stringify(payload);
  const envelope = createEnvelope({
    id,
    type: EventTypes.hookReceived,
    source: `/hooks/${payload.source}`,
    subject: payload.resource_id,
    correlationId: randomUUID(),
    time: at,
    data: { eventId: id, ...payload, receivedAt: at.toISOString() },
  });
  const headers = { 'content-type': 'application/json', 'user-agent': 'bench' };
  const key = WITH_KEYS ? `bench-${n}-${id}` : null;
  const fingerprint = createHash('sha256').update(body).digest('hex');
  return {
    text: `WITH event AS (
       INSERT INTO hook_events (id, source, action, resource, resource_id, data, status,
         correlation_id, idempotency_key, body_sha256, source_ip, api_key_id, headers,
         signature_scheme, received_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'received', $7, $8, $9, $10, $11, $12, $13, $14, $14)
       RETURNING id
     ), history AS (
       INSERT INTO hook_event_history (event_id, status, detail, at)
       SELECT id, 'received', $15, $14 FROM event
     ), claim AS (
       INSERT INTO hook_idempotency_keys (key, event_id, payload_fingerprint, expires_at)
       SELECT $8, id, $18, now() + interval '1 day' FROM event WHERE $8::text IS NOT NULL
     )
     INSERT INTO hook_outbox (event_id, partition_key, envelope, created_at, next_attempt_at)
     SELECT id, $16, $17, $14, $14 FROM event`,
    values: [
      id,
      payload.source,
      payload.action,
      payload.resource,
      payload.resource_id,
      JSON.stringify(payload.data),
      envelope.correlationid,
      key,
      createHash('sha256').update(body).digest('hex'),
      '127.0.0.1',
      null,
      JSON.stringify(headers),
      null,
      at,
      JSON.stringify({ api_key_id: null, source_ip: '127.0.0.1' }),
      payload.source,
      JSON.stringify(envelope),
      fingerprint,
    ],
  };
}

async function main(): Promise<void> {
  const silent = createLogger({ level: 'silent', service: 'bench' });
  const intakeDatabase = await createTestDatabase();
  const baselineDatabase = await createTestDatabase();
  const server = await startServer(intakeDatabase.url);
  const { url, key, poolMax } = (await server.next()) as {
    url: string;
    key: string;
    poolMax: number;
  };
  const http = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });

  const baselineDb = new pg.Pool({ connectionString: baselineDatabase.url, max: poolMax });
  await migrate(baselineDb, silent);

  const intake: Path = {
    name: 'POST /hooks/receive (group commit)',
    requests: 0,
    seconds: 0,
    latenciesMs: [],
    async call(n) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-api-key': key,
        'user-agent': 'bench',
      };
      if (WITH_KEYS) headers['idempotency-key'] = `bench-${n}-${randomUUID()}`;
      const response = await http.request({
        method: 'POST',
        path: '/api/v1/hooks/receive',
        headers,
        body: JSON.stringify(payloadOf(n)),
      });
      const text = await response.body.text();
      if (response.statusCode !== 202)
        throw new Error(`receive answered ${response.statusCode}: ${text}`);
    },
  };
  const perTransaction: Path = {
    name: 'raw pg, BEGIN + insert + COMMIT',
    requests: 0,
    seconds: 0,
    latenciesMs: [],
    async call(n) {
      const client = await baselineDb.connect();
      try {
        await client.query('BEGIN');
        await client.query(singleInsert(n));
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
  };
  const autocommit: Path = {
    name: 'raw pg, one autocommit statement',
    requests: 0,
    seconds: 0,
    latenciesMs: [],
    async call(n) {
      await baselineDb.query(singleInsert(n));
    },
  };
  const paths = [intake, perTransaction, autocommit];

  try {
    for (const path of paths) await load(path, WARM_UP_MS, false);
    let intakeCpuMs = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = paths.map((_, i) => paths[(i + round) % paths.length] as Path);
      for (const path of order) {
        if (path === intake) await server.ask('mark');
        await load(path, PHASE_MS, true);
        if (path === intake) intakeCpuMs += ((await server.ask('cpu')) as { cpuMs: number }).cpuMs;
      }
    }

    const intakeDb = new pg.Pool({ connectionString: intakeDatabase.url, max: 1 });
    const stored = await intakeDb.query<{ events: number; history: number; outbox: number }>(
      `SELECT (SELECT count(*)::int FROM hook_events) AS events,
              (SELECT count(*)::int FROM hook_event_history WHERE status = 'received') AS history,
              (SELECT count(*)::int FROM hook_outbox) AS outbox`,
    );

    await intakeDb.end();
    const rate = (path: Path) => path.requests / path.seconds;
    console.log(
      `\nbench/intake: concurrency ${CONCURRENCY}, pool max ${poolMax}, ${ROUNDS} rounds x ${values.seconds} s per path` +
        `${WITH_KEYS ? ', every webhook with an Idempotency-Key' : ''}; in-process event bus\n`,
    );
    console.log('| path | accepted | per s | p50 ms | p99 ms | intake / this |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const path of paths) {
      const sorted = [...path.latenciesMs].sort((a, b) => a - b);
      console.log(
        `| ${path.name} | ${path.requests} | ${rate(path).toFixed(0)} | ` +
          `${percentile(sorted, 0.5).toFixed(2)} | ${percentile(sorted, 0.99).toFixed(2)} | ` +
          `${(rate(intake) / rate(path)).toFixed(2)}x |`,
      );
    }
    const row = stored.rows[0];
    console.log(
      `\nintake database: ${row?.events} events, ${row?.history} 'received' history rows, ` +
        `${row?.outbox} outbox rows (warm-up included); ` +
        `hooks service process CPU per webhook: ${(intakeCpuMs / intake.requests).toFixed(3)} ms`,
    );
  } finally {
    await http.close();
    await server.stop();
    await baselineDb.end();
    await intakeDatabase.drop();
    await baselineDatabase.drop();
  }
}

/** Starts bench/intake/serve.ts; talks to it one JSON line at a time. */
async function startServer(databaseUrl: string): Promise<{
  next(): Promise<unknown>;
  ask(command: string): Promise<unknown>;
  stop(): Promise<void>;
}> {
  const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, 'serve.ts')], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = async () => {
    const line = await lines.next();
    if (line.done === true) throw new Error('the hooks service process ended');
    return JSON.parse(line.value) as unknown;
  };
  return {
    next,
    ask(command) {
      child.stdin.write(`${command}\n`);
      return next();
    },
    async stop() {
      child.stdin.write('stop\n');
      await exited;
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
