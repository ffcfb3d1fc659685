/**
 * The embedded default's database: PGlite (PostgreSQL compiled to WebAssembly) with its
 * data under DATA_DIR, served on a loopback port by pglite-socket so that the same `pg`
 * code runs on it as on a real server.
 *
 * PGlite is one session underneath: pglite-socket queues queries from several
 * connections, and a second BEGIN waits until the first transaction ends. Code must
 * therefore never hold a transaction open while it waits on another connection.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

import type { Logger } from '../logger';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  log: Logger;
}): Promise<EmbeddedPostgres> {
  const dir = path.resolve(options.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    // Each service keeps its own pool; queries are serialized inside PGlite anyway.
    maxConnections: 64,
  });
  await server.start();
  const address = server.getServerConn();
  options.log.info({ dataDir: dir, address }, 'embedded PostgreSQL (PGlite) started');
  return {
    url: `postgres://postgres@${address}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
