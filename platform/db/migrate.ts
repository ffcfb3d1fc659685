/**
 * Applies the SQL files in migrations/ in name order, each once, each in its own
 * transaction. Every service runs this at start; an advisory lock makes concurrent
 * starts take turns instead of racing on the same DDL.
 *
 * Plain SQL files keep the schema reviewable in one place; the runner is small enough
 * that a migration framework's CLI and config would cost more than they give here.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Logger } from '../logger';
import { type Database, connect } from './pool';

/** An arbitrary constant shared by every service: "omninode" in ASCII, truncated. */
const MIGRATION_LOCK_KEY = 0x6f6d6e69;

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

export async function migrate(db: Database, log: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const client = await connect(db);
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map(
        (row) => row.name,
      ),
    );
    for (const name of files) {
      if (done.has(name)) continue;
      const sql = await readFile(path.join(dir, name), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(name);
      log.info({ migration: name }, 'migration applied');
    }
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    client.release();
  }
  return applied;
}
