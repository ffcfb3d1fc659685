/**
 * `npm start` with no DATABASE_URL, REDIS_URL or KAFKA_BROKERS: the embedded default, run
 * as a user runs it (a child process), driven only through the gateway.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { freePorts } from '../support/ports';
import {
  GatewayCaller,
  badWebhooksStoreNothing,
  executedWorkflowStreamsItsEvents,
  hookEventSubscriberGetsTheWholeRun,
  resubscribingResumesAfterTheLastEvent,
  webhookReachesSubscriber,
} from './vertical-flow';

const ROOT = path.resolve(__dirname, '../..');

describe('npm start on the embedded default', () => {
  let child: ChildProcess;
  let output = '';
  let dataDir: string;
  let caller: GatewayCaller;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'onb-embedded-'));
    const [gateway, hooks, workflows, modelMetrics] = (await freePorts(4)) as [
      number,
      number,
      number,
      number,
    ];
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      GATEWAY_PORT: String(gateway),
      HOOKS_PORT: String(hooks),
      WORKFLOWS_PORT: String(workflows),
      MODEL_METRICS_PORT: String(modelMetrics),
    };
    child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['bin/start.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const apiKey = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner in 90 s:\n${output}`)), 90_000);
      const poll = setInterval(() => {
        const match = /Development API key \(every permission\): (onb_\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve(match[1]);
        }
      }, 100);
      child.once('exit', (code) => {
        clearTimeout(timer);
        clearInterval(poll);
        reject(new Error(`npm start exited with ${code}:\n${output}`));
      });
    });
    caller = new GatewayCaller(`http://127.0.0.1:${gateway}`, apiKey);
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the endpoints and says which embedded parts it uses', () => {
    expect(output).toMatch(/GraphQL\s+http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(output).toMatch(/embedded PGlite/);
    expect(output).toMatch(/in-process event bus/);
  });

  it('delivers a webhook-triggered workflow completion to a graphql-ws subscriber', () =>
    webhookReachesSubscriber(caller));

  it('streams an executed workflow task by task', () => executedWorkflowStreamsItsEvents(caller));

  it('gives a late hook-event subscriber every event of the run it started', () =>
    hookEventSubscriberGetsTheWholeRun(caller));

  it('resumes a dropped subscription after the last event it received', () =>
    resubscribingResumesAfterTheLastEvent(caller));

  it('answers bad input with a 4xx and stores nothing', () => badWebhooksStoreNothing(caller));

  it('shuts down cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.kill('SIGTERM');

    expect(await exited).toBe(0);
  });
});
