/**
 * The embedded default's database: PGlite (PostgreSQL compiled to WebAssembly) with its
 * data under DATA_DIR, served on a loopback port by pglite-socket so that the same `pg`
 * code runs on it as on a real server.
 *
 * PGlite is one session underneath: pglite-socket queues queries from several
 * connections, and a second BEGIN waits until the first transaction ends. Code must
 * therefore never hold a transaction open while it waits on another connection.
 *
 * pglite-socket 0.2 queues each protocol message on its own. A parameterized query is
 * several messages (Parse, Bind, Describe, Execute, then Sync), and when one arrives in
 * several TCP reads another connection's messages can run in between and take over the
 * unnamed statement or portal: wrong rows, or "portal cannot be run" (reproduced by
 * tests/integration/platform/embedded-postgres.test.ts). Each connection's messages are
 * therefore held until its Sync and run as one unit.
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
  groupExtendedProtocolMessages(server);
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

/** Extended-protocol messages that only complete at the next Sync (or Flush). */
const DEFERRED_MESSAGE_TYPES = new Set([
  0x50 /* Parse */, 0x42 /* Bind */, 0x44 /* Describe */, 0x45 /* Execute */, 0x43 /* Close */,
]);

interface QueryQueue {
  enqueue(
    handlerId: number,
    message: Uint8Array,
    onData: (data: Uint8Array) => void,
  ): Promise<number>;
}

// FIXME: reaches into pglite-socket's private query queue; remove once pglite-socket
// queues whole Sync-delimited batches itself. Fails loudly if its internals change.
function groupExtendedProtocolMessages(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || typeof queue.enqueue !== 'function') {
    throw new Error(
      'pglite-socket internals changed: cannot keep protocol messages together; pin @electric-sql/pglite-socket 0.2.17',
    );
  }
  const enqueue = queue.enqueue.bind(queue);
  const held = new Map<number, Uint8Array[]>();
  queue.enqueue = (handlerId, message, onData) => {
    const type = message[0] ?? 0;
    if (DEFERRED_MESSAGE_TYPES.has(type)) {
      const parts = held.get(handlerId) ?? [];
      parts.push(message);
      held.set(handlerId, parts);
      // Nothing to answer yet: the replies come with the batch, through the Sync's onData.
      return Promise.resolve(0);
    }
    const parts = held.get(handlerId);
    if (!parts) return enqueue(handlerId, message, onData);
    held.delete(handlerId);
    return enqueue(handlerId, Buffer.concat([...parts, message]), onData);
  };
}
