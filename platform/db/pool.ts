/**
 * The PostgreSQL pool every service uses, with the helpers that keep call sites short:
 * `withTransaction` (BEGIN/COMMIT/ROLLBACK in one place) and connection-failure mapping
 * to DATABASE_UNAVAILABLE so callers answer 503 instead of 500.
 *
 * The pool is managed (flow 5 of the sequence diagrams):
 * - a caller that waits longer than the acquisition timeout for a free connection gets
 *   POOL_EXHAUSTED (503 with Retry-After), and the pool's exhaustion listeners (the
 *   service's alert manager) hear of it;
 * - connections are replaced after `maxLifetimeSeconds` and closed after
 *   `idleTimeoutMillis` idle, which is how the pool shrinks when quiet;
 * - a connection checked out longer than `leakThresholdMs` is logged once, with the
 *   stack of the code that took it;
 * - every query is timed; `stats()` answers active, idle, waiting, total queries and the
 *   average and p95 query time (pool-monitor.ts samples it).
 */
import pg from 'pg';

import { AppError, CommonErrors, isConnectionError } from '../errors';
import type { Logger } from '../logger';
import { QueryTimer } from './pool-statistics';

export type Database = pg.Pool;
export type DatabaseClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface DatabaseOptions {
  url: string;
  /** @default 10 */
  max?: number;
  /** How long a caller waits for a free connection before POOL_EXHAUSTED. @default 5000 */
  connectionTimeoutMillis?: number;
  /** @default 30000 */
  idleTimeoutMillis?: number;
  /** Connections older than this are replaced once released; 0 keeps them. @default 1800 */
  maxLifetimeSeconds?: number;
  /** A checkout held longer than this is reported as a possible leak. @default 60000 */
  leakThresholdMs?: number;
  applicationName?: string;
}

export interface PoolStats {
  max: number;
  total: number;
  active: number;
  idle: number;
  waiting: number;
  /** active / max. */
  utilisation: number;
  totalQueries: number;
  avgQueryMs: number;
  p95QueryMs: number;
  exhaustedTotal: number;
  leaksReported: number;
}

interface Checkout {
  acquiredAtMs: number;
  /**
   * Where the connection was taken, for the leak report. Kept as an Error and read only
   * when reporting: formatting a stack trace on every checkout cost ~5% CPU.
   */
  origin: Error;
  reported: boolean;
}

type ConnectCallback = (
  err: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

const POOL_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

// Answer BIGINT and NUMERIC columns as JS numbers: counters and offsets here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export class MonitoredPool extends pg.Pool {
  readonly max: number;
  private readonly held = new Map<pg.PoolClient, Checkout>();
  private readonly queryTimer = new QueryTimer();
  private readonly exhaustedListeners: Array<(stats: PoolStats) => void> = [];
  private readonly leakTimer: NodeJS.Timeout;
  private exhaustedTotal = 0;
  private leaksReported = 0;

  constructor(
    options: DatabaseOptions,
    // Not `log`: pg-pool uses this.log for its own debug output.
    private readonly logger: Logger,
  ) {
    const max = options.max ?? 10;
    super({
      connectionString: options.url,
      max,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
      idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
      maxLifetimeSeconds: options.maxLifetimeSeconds ?? 1_800,
      application_name: options.applicationName ?? 'omninode-bridge',
    });
    this.max = max;
    // An idle client losing its connection emits on the pool; a checked-out one emits on
    // itself, where pg-pool listens only while it is idle. Without these listeners either
    // would crash the process.
    this.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
    this.on('connect', (client) => {
      client.on('error', (error) => logger.warn({ err: error }, 'database connection failed'));
      this.timeQueries(client);
    });
    this.on('release', (_error: unknown, client: pg.PoolClient) => this.held.delete(client));

    const leakThresholdMs = options.leakThresholdMs ?? 60_000;
    this.leakTimer = setInterval(
      () => this.reportLeaks(leakThresholdMs),
      Math.max(Math.floor(leakThresholdMs / 2), 10),
    );
    this.leakTimer.unref();
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const origin = new Error('connection acquired here');
    if (callback) {
      super.connect((error, client, done) => {
        if (error || !client) return callback(error && this.acquireError(error), undefined, done);
        this.held.set(client, { acquiredAtMs: Date.now(), origin, reported: false });
        callback(undefined, client, done);
      });
      return;
    }
    return super.connect().then(
      (client) => {
        this.held.set(client, { acquiredAtMs: Date.now(), origin, reported: false });
        return client;
      },
      (error: Error) => {
        throw this.acquireError(error);
      },
    );
  }

  override end(): Promise<void>;
  override end(callback: () => void): void;
  override end(callback?: () => void): Promise<void> | void {
    clearInterval(this.leakTimer);
    if (callback) return super.end(callback);
    return super.end();
  }

  /** Called each time a caller gave up waiting for a connection. */
  onExhausted(listener: (stats: PoolStats) => void): void {
    this.exhaustedListeners.push(listener);
  }

  stats(): PoolStats {
    const idle = this.idleCount;
    const active = this.totalCount - idle;
    return {
      max: this.max,
      total: this.totalCount,
      active,
      idle,
      waiting: this.waitingCount,
      utilisation: Math.round((active / this.max) * 1000) / 1000,
      ...this.queryTimer.timings(),
      exhaustedTotal: this.exhaustedTotal,
      leaksReported: this.leaksReported,
    };
  }

  private acquireError(error: Error): Error {
    if (error.message !== POOL_TIMEOUT_MESSAGE) return error;
    this.exhaustedTotal += 1;
    const stats = this.stats();
    this.logger.warn({ pool: stats }, 'database pool exhausted');
    for (const listener of this.exhaustedListeners) listener(stats);
    return new AppError(
      CommonErrors.POOL_EXHAUSTED,
      'Every database connection is busy; nothing was done. Retry shortly.',
      { retry_after: 1 },
      { cause: error },
    );
  }

  private reportLeaks(thresholdMs: number): void {
    const nowMs = Date.now();
    for (const checkout of this.held.values()) {
      const heldMs = nowMs - checkout.acquiredAtMs;
      if (checkout.reported || heldMs < thresholdMs) continue;
      checkout.reported = true;
      this.leaksReported += 1;
      this.logger.warn(
        { heldMs, thresholdMs, acquiredAt: checkout.origin.stack },
        'database connection held too long (possible leak)',
      );
    }
  }

  /** Times every query of `client`, whichever form (promise or callback) it was sent in. */
  private timeQueries(client: pg.PoolClient): void {
    const target = client as unknown as { query: (...args: unknown[]) => unknown };
    const original = target.query.bind(client);
    const timer = this.queryTimer;
    target.query = (...args: unknown[]) => {
      const startedAt = performance.now();
      const record = () => timer.record(performance.now() - startedAt);
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (...results: unknown[]) => {
          record();
          return (callback as (...values: unknown[]) => unknown)(...results);
        };
        return original(...args);
      }
      const result = original(...args);
      if (result instanceof Promise) result.then(record, record);
      return result;
    };
  }
}

export function createDatabase(options: DatabaseOptions, log: Logger): MonitoredPool {
  return new MonitoredPool(options, log);
}

/** Runs `work` in one transaction on one connection; rolls back on any error. */
export async function withTransaction<T>(
  db: Database,
  work: (client: DatabaseClient) => Promise<T>,
): Promise<T> {
  const client = await connect(db);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is destroyed rather than returned to the pool.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw asDatabaseError(error);
  } finally {
    client.release(broken);
  }
}

export async function connect(db: Database): Promise<DatabaseClient> {
  try {
    return await db.connect();
  } catch (error) {
    throw asDatabaseError(error);
  }
}

/** Connection failures become a retriable 503; anything else is passed through unchanged. */
export function asDatabaseError(error: unknown): unknown {
  if (error instanceof AppError || !isConnectionError(error)) return error;
  return new AppError(
    CommonErrors.DATABASE_UNAVAILABLE,
    'The database is unavailable; nothing was stored. Retry shortly.',
    { retry_after: 5 },
    { cause: error },
  );
}

export async function pingDatabase(db: Database): Promise<void> {
  await db.query('SELECT 1');
}
