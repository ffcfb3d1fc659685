/**
 * Jest global setup of the integration and e2e projects: makes sure the servers their
 * tests talk to are there, so `npm test` alone works on a machine with PostgreSQL and
 * Redis running. With nothing listening on the test broker's address, Kafka is started by
 * scripts/kafka/start.sh (which fetches the broker jars on first use) and left running for
 * the next run (`npm run kafka:stop` stops it). PostgreSQL or Redis missing fails at once
 * with what to do, instead of as hundreds of timed-out tests.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

import { TEST_DATABASE_URL, TEST_KAFKA_BROKERS, TEST_REDIS_URL } from './environment';

const KAFKA_START = path.resolve(__dirname, '../../scripts/kafka/start.sh');

export default async function serversReady(): Promise<void> {
  const postgres = new URL(TEST_DATABASE_URL);
  await mustListen(
    'PostgreSQL',
    postgres.hostname,
    Number(postgres.port || 5432),
    'TEST_DATABASE_URL',
  );
  const redis = new URL(TEST_REDIS_URL);
  await mustListen('Redis', redis.hostname, Number(redis.port || 6379), 'TEST_REDIS_URL');

  const [host = '127.0.0.1', port = '9092'] = (TEST_KAFKA_BROKERS.split(',')[0] ?? '').split(':');
  if (await listens(host, Number(port))) return;
  if (process.env['TEST_KAFKA_BROKERS']) {
    throw new Error(`No Kafka broker answers at ${host}:${port} (TEST_KAFKA_BROKERS).`);
  }
  process.stderr.write(`\n[test setup] no Kafka broker on ${host}:${port}: starting one\n`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('bash', [KAFKA_START], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`scripts/kafka/start.sh failed (exit ${code}); see above.`);
}

async function mustListen(name: string, host: string, port: number, variable: string) {
  if (await listens(host, port)) return;
  throw new Error(
    `${name} is not reachable on ${host}:${port}. Start it (README, "Development"), or point ${variable} at one.`,
  );
}

function listens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1_000 });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
