/**
 * A Kafka broker of a test's own, on free ports and a fresh data directory, started with
 * the project's scripts/kafka/start.sh: a test that takes Kafka down stops this one, never
 * the broker the other suites share. Stopping and starting again keeps its data.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePorts } from './ports';

const run = promisify(execFile);
const SCRIPTS = path.resolve(__dirname, '../../scripts/kafka');

export interface PrivateBroker {
  /** host:port, for KAFKA_BROKERS. */
  brokers: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and deletes its data. */
  remove(): Promise<void>;
}

export async function startPrivateBroker(name: string): Promise<PrivateBroker> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `onb-${name}-kafka-`));
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: dataDir,
  };
  const script = async (action: 'start' | 'stop') => {
    await run('bash', [path.join(SCRIPTS, `${action}.sh`)], { env });
  };
  const broker: PrivateBroker = {
    brokers: `127.0.0.1:${port}`,
    start: () => script('start'),
    stop: () => script('stop'),
    async remove() {
      await script('stop');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
