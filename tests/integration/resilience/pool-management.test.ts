// Response bodies are read field by field in assertions; typing each would add nothing.
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Flow 5 on the real PostgreSQL: a one-connection pool behind the platform's HTTP server.
 * While a test holds the connection, a request waits the acquisition timeout and is
 * answered 503 POOL_EXHAUSTED with Retry-After, the exhaustion alert reaches a stub
 * Alertmanager, and a connection held past the leak threshold is logged with the stack
 * of the code that took it.
 */
import { Writable } from 'node:stream';

import pino from 'pino';

import { AlertManager } from '../../../platform/alerts/alert-manager';
import { AlertmanagerSink } from '../../../platform/alerts/alertmanager-sink';
import { type MonitoredPool, createDatabase } from '../../../platform/db/pool';
import { POOL_EXHAUSTED_ALERT, PoolMonitor } from '../../../platform/db/pool-monitor';
import { createHttpServer } from '../../../platform/http/server';
import { createServiceMetrics } from '../../../platform/metrics';
import { createTestDatabase } from '../../support/environment';
import { AlertmanagerStub, eventually } from './support/http-stubs';

describe('managed database pool', () => {
  let database: { url: string; drop(): Promise<void> };
  const alertmanager = new AlertmanagerStub();
  const logLines: any[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString('utf8')));
        done();
      },
    }),
  );
  let db: MonitoredPool;
  let monitor: PoolMonitor;
  let app: ReturnType<typeof createHttpServer>;
  let baseUrl: string;
  const get = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`);
    return {
      statusCode: response.status,
      headers: response.headers,
      body: (await response.json()) as any,
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const alerts = new AlertManager({
      service: 'test',
      log,
      sinks: [new AlertmanagerSink({ url: await alertmanager.start() })],
    });
    db = createDatabase(
      { url: database.url, max: 1, connectionTimeoutMillis: 200, leakThresholdMs: 150 },
      log,
    );
    const metrics = createServiceMetrics('pool-test');
    monitor = new PoolMonitor({ pool: db, intervalMs: 60_000, log, metrics, alerts });
    await monitor.start();
    app = createHttpServer({
      service: 'pool-test',
      log,
      metrics,
      healthChecks: () => [monitor.healthCheck()],
    });
    app.get('/count', async () => (await db.query('SELECT 1 AS one')).rows[0]);
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await monitor.stop();
    await app.close();
    await db.end();
    await alertmanager.stop();
    await database.drop();
  });

  it('answers 503 POOL_EXHAUSTED with Retry-After and alerts while every connection is taken', async () => {
    const held = await db.connect();
    try {
      const started = Date.now();
      const response = await get('/count');
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.statusCode).toBe(503);
      expect(response.body).toMatchObject({ error: 'POOL_EXHAUSTED' });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);

      const alert = await eventually(
        () => alertmanager.named(POOL_EXHAUSTED_ALERT)[0],
        'the exhaustion alert',
      );
      expect(alert.labels).toMatchObject({ severity: 'critical', service: 'test' });
      expect(monitor.sample()).toMatchObject({
        max: 1,
        active: 1,
        utilisation: 1,
        exhaustedTotal: 1,
      });
    } finally {
      held.release();
    }

    expect((await get('/count')).statusCode).toBe(200);
    const stats = monitor.sample();
    expect(stats.totalQueries).toBeGreaterThanOrEqual(1);
    expect(stats.p95QueryMs).toBeGreaterThan(0);
    const resolved = await eventually(
      () => alertmanager.named(POOL_EXHAUSTED_ALERT).find((entry) => entry.endsAt !== undefined),
      'the exhaustion alert to resolve',
    );
    expect(resolved).toBeDefined();
    const health = (await get('/health')).body;
    expect(health.dependencies.database_pool).toMatchObject({ max: 1, idle: 1, active: 0 });
  });

  it('logs a connection held past the leak threshold with where it was taken', async () => {
    logLines.length = 0;
    const leaked = await db.connect();
    try {
      const report = await eventually(
        () =>
          logLines.find((line) => line.msg === 'database connection held too long (possible leak)'),
        'the leak report',
      );
      expect(report.heldMs).toBeGreaterThanOrEqual(150);
      expect(report.acquiredAt).toMatch(/pool-management\.test\.ts/);
    } finally {
      leaked.release();
    }
  });
});
