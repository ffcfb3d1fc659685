/**
 * Workflow engine throughput and latency on real PostgreSQL and Kafka: a 3-task workflow
 * (two parallel transforms, then a join) started over REST by clients that each wait for
 * their run's completion event on workflow.completions before starting the next. Two
 * phases in one run: `concurrency` clients for `seconds` (throughput; latency there is
 * mostly queueing), then one client for half as long (the engine's own latency). Beside
 * them, the same three task functions called directly, so the engine's overhead per task
 * is the difference of the p50s divided by the three tasks.
 *
 * It also reports what a workflow costs PostgreSQL (commits per workflow, from
 * pg_stat_database of the bench's own database). BENCH_CPU_PROFILE=<file> writes a CPU
 * profile of the throughput phase only (open it in Chrome DevTools).
 *
 *   npx tsx bench/workflows/run.ts [--seconds 5] [--concurrency 32]
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'undici';

import { ApiKeyStore, PERMISSIONS } from '../../platform/auth/api-keys';
import { createDatabase } from '../../platform/db/pool';
import { Topics } from '../../platform/events/topics';
import type { WorkflowEventData } from '../../platform/events/workflow-events';
import { createLogger } from '../../platform/logger';
import { createRuntime } from '../../platform/runtime';
import { parseDefinition } from '../../subgraphs/workflows/definition';
import { createWorkflowsService } from '../../subgraphs/workflows/service';
import { runTransform } from '../../subgraphs/workflows/tasks/transform';
import { renderTemplate } from '../../subgraphs/workflows/template';
import { createTestDatabase, realServersConfig, uniqueName } from '../../tests/support/environment';

const DEFINITION = parseDefinition({
  name: 'bench-join',
  tasks: [
    { id: 'left', type: 'transform', input: { side: 'left', n: '{{input.n}}' } },
    { id: 'right', type: 'transform', input: { side: 'right', n: '{{input.n}}' } },
    {
      id: 'join',
      type: 'transform',
      dependsOn: ['left', 'right'],
      input: { left: '{{tasks.left.output}}', right: '{{tasks.right.output}}' },
    },
  ],
});
const TASKS_PER_WORKFLOW = DEFINITION.tasks.length;

/** One measured phase: `loops` clients for a fixed time. */
interface Phase {
  latenciesMs: number[];
  seconds: number;
  cpuMsPerWorkflow: number;
  commitsPerWorkflow: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

const directLog = createLogger({ level: 'silent', service: 'bench' });

/** The three task functions called directly, in dependency order, as the engine would. */
async function runDirect(n: number): Promise<void> {
  const context = {
    workflowId: 'direct',
    taskId: 't',
    attempt: 1,
    signal: new AbortController().signal,
  };
  const log = directLog;
  const scope = {
    input: { n },
    event: undefined,
    tasks: {} as Record<string, { output: unknown }>,
  };
  const [left, right] = await Promise.all(
    DEFINITION.tasks
      .slice(0, 2)
      .map((task) =>
        runTransform(renderTemplate(task.input, scope), { ...context, taskId: task.id, log }),
      ),
  );
  scope.tasks['left'] = { output: left?.output };
  scope.tasks['right'] = { output: right?.output };
  await runTransform(renderTemplate(DEFINITION.tasks[2]?.input, scope), {
    ...context,
    taskId: 'join',
    log,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '32' },
    },
  });
  const durationMs = Number(values.seconds) * 1000;
  const concurrency = Number(values.concurrency);

  const database = await createTestDatabase();
  const config = realServersConfig(database.url, {
    LOG_LEVEL: 'error',
    DATABASE_POOL_MAX: process.env['DATABASE_POOL_MAX'] ?? '10',
  });
  const runtime = await createRuntime(config, createLogger({ level: 'error', service: 'bench' }));
  const db = createDatabase({ url: runtime.databaseUrl, max: 2 }, runtime.log);
  const { key } = await new ApiKeyStore(db).create({ name: 'bench', permissions: PERMISSIONS });
  const service = await createWorkflowsService(runtime);
  await service.start();

  const waiting = new Map<string, () => void>();
  const early = new Set<string>();
  const onCompletion = (workflowId: string) => {
    const resolve = waiting.get(workflowId);
    if (resolve) resolve();
    else early.add(workflowId);
  };
  // The watcher reads completions with kafkajs directly, committing offsets in the
  // background: the event bus commits after every message (one broker round trip each,
  // as at-least-once consumers need), which would cap what is measured at the watcher's
  // own commit rate (about 75 messages/s here) rather than the engine's.
  const kafka = new Kafka({
    brokers: config.kafka.brokers ?? [],
    clientId: 'bench-watcher',
    logLevel: logLevel.NOTHING,
  });
  const watcher = kafka.consumer({ groupId: uniqueName('bench-completions'), maxWaitTimeInMs: 50 });
  await watcher.connect();
  await watcher.subscribe({
    topic: runtime.topic(Topics.workflowCompletions),
    fromBeginning: true,
  });
  await watcher.run({
    autoCommit: true,
    eachMessage: async ({ message }) => {
      const data = JSON.parse(message.value?.toString() ?? '{}') as WorkflowEventData;
      onCompletion(data.workflowId);
    },
  });
  const http = new Pool(service.url, { connections: concurrency });
  const startOne = async (n: number): Promise<number> => {
    const started = performance.now();
    const id = crypto.randomUUID();
    const completed = new Promise<void>((resolve) => waiting.set(id, resolve));
    const response = await http.request({
      path: '/api/v1/workflows/execute',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ definition: DEFINITION, input: { n }, workflow_id: id }),
    });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`execute answered ${response.statusCode}`);
    if (!early.delete(id)) await completed;
    waiting.delete(id);
    return performance.now() - started;
  };

  // Warm-up: connections, prepared plans, the consumer's partition assignment.
  for (let i = 0; i < 20; i += 1) await startOne(i);

  // Backends report their counters about once a second: wait so both readings are current.
  const commits = async (): Promise<number> => {
    await sleep(1_500);
    const result = await db.query<{ xact_commit: number }>(
      `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`,
    );
    return Number(result.rows[0]?.xact_commit);
  };

  /** `loops` clients starting workflows back to back for `ms`. */
  const measure = async (loops: number, ms: number, profilePath?: string): Promise<Phase> => {
    const commitsBefore = await commits();
    const profiler = profilePath ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const latenciesMs: number[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deadline = started + ms;
    await Promise.all(
      Array.from({ length: loops }, async (_, loop) => {
        for (let i = 0; performance.now() < deadline; i += 1)
          latenciesMs.push(await startOne(loop * 1_000_000 + i));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    if (profiler && profilePath) {
      const { profile } = await profiler.post('Profiler.stop');
      await writeFile(profilePath, JSON.stringify(profile));
      profiler.disconnect();
    }
    latenciesMs.sort((a, b) => a - b);
    return {
      latenciesMs,
      seconds,
      // Client, service and consumer share this process: an upper bound of the engine's CPU.
      cpuMsPerWorkflow: (cpu.user + cpu.system) / 1000 / latenciesMs.length,
      // Includes the bench's own two reads of the counter; the service's statements dominate.
      commitsPerWorkflow: ((await commits()) - commitsBefore) / latenciesMs.length,
    };
  };
  const throughput = await measure(concurrency, durationMs, process.env['BENCH_CPU_PROFILE']);
  const latency = await measure(1, durationMs / 2);

  const directMs: number[] = [];
  for (let i = 0; i < 5_000; i += 1) {
    const callStarted = performance.now();
    await runDirect(i);
    directMs.push(performance.now() - callStarted);
  }

  await http.close();
  await watcher.disconnect();
  await service.stop();
  await db.end();
  await runtime.stop();
  await database.drop();

  directMs.sort((a, b) => a - b);
  const directP50 = percentile(directMs, 0.5);
  const phases = [throughput, latency];
  const perPhase = (format: (phase: Phase) => string) => phases.map(format);
  const overheadPerTask = (phase: Phase) =>
    (percentile(phase.latenciesMs, 0.5) - directP50) / TASKS_PER_WORKFLOW;
  const rows = [
    ['', `engine, ${concurrency} clients`, 'engine, 1 client', 'task functions directly'],
    [
      'workflows completed',
      ...perPhase((phase) => String(phase.latenciesMs.length)),
      String(directMs.length),
    ],
    [
      'workflows/s',
      ...perPhase((phase) => (phase.latenciesMs.length / phase.seconds).toFixed(1)),
      (1000 / directP50).toFixed(0),
    ],
    [
      'p50 start-to-complete ms',
      ...perPhase((phase) => percentile(phase.latenciesMs, 0.5).toFixed(2)),
      directP50.toFixed(4),
    ],
    [
      'p99 start-to-complete ms',
      ...perPhase((phase) => percentile(phase.latenciesMs, 0.99).toFixed(2)),
      percentile(directMs, 0.99).toFixed(4),
    ],
    ['overhead per task at p50 ms', ...perPhase((phase) => overheadPerTask(phase).toFixed(2)), '-'],
    ['process CPU ms per workflow', ...perPhase((phase) => phase.cpuMsPerWorkflow.toFixed(2)), '-'],
    [
      'PostgreSQL commits/workflow',
      ...perPhase((phase) => phase.commitsPerWorkflow.toFixed(2)),
      '-',
    ],
  ];
  const [load1] = (await import('node:os')).loadavg();
  console.log(
    `3-task workflow (2 parallel transforms + join), ${concurrency} clients for ${values.seconds} s, ` +
      `then 1 client for ${Number(values.seconds) / 2} s; load average ${load1?.toFixed(2)}`,
  );
  for (const row of rows)
    console.log(`| ${row.map((cell, i) => cell.padEnd(i === 0 ? 28 : 23)).join(' | ')} |`);
  const targetMet = (met: boolean) => (met ? 'met' : 'NOT met');
  console.log(
    `target >= 200 workflows/s: ${targetMet(throughput.latenciesMs.length / throughput.seconds >= 200)}; ` +
      `target < 5 ms overhead per task at p50 (1 client): ${targetMet(overheadPerTask(latency) < 5)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
