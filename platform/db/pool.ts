/**
 * The PostgreSQL pool every service uses, with the helpers that keep call sites short:
 * `withTransaction` (BEGIN/COMMIT/ROLLBACK in one place) and connection-failure mapping
 * to DATABASE_UNAVAILABLE so callers answer 503 instead of 500.
 */
import pg from 'pg';

import { AppError, CommonErrors, isConnectionError } from '../errors';
import type { Logger } from '../logger';

export type Database = pg.Pool;
export type DatabaseClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface DatabaseOptions {
  url: string;
  /** @default 10 */
  max?: number;
  /** How long a caller waits for a free connection before DATABASE_UNAVAILABLE. @default 5000 */
  connectionTimeoutMillis?: number;
  /** @default 30000 */
  idleTimeoutMillis?: number;
  applicationName?: string;
}

// Answer BIGINT and NUMERIC columns as JS numbers: counters and offsets here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export function createDatabase(options: DatabaseOptions, log: Logger): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    application_name: options.applicationName ?? 'omninode-bridge',
  });
  // An idle client losing its connection emits on the pool; a checked-out one emits on
  // itself, where pg-pool listens only while it is idle. Without these listeners either
  // would crash the process.
  pool.on('error', (error) => log.warn({ err: error }, 'idle database connection failed'));
  pool.on('connect', (client) => {
    client.on('error', (error) => log.warn({ err: error }, 'database connection failed'));
  });
  return pool;
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
