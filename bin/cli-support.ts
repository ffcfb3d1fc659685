/** What the administration commands share: the database they work on, and exit codes. */
import { type Config, loadConfig } from '../platform/config';
import { type Database, createDatabase } from '../platform/db/pool';
import { migrate } from '../platform/db/migrate';
import { type Logger, createLogger } from '../platform/logger';

export interface CliContext {
  config: Config;
  db: Database;
  log: Logger;
}

/**
 * Runs a command against DATABASE_URL (migrated first) and exits with its status. The
 * embedded database belongs to the running `npm start` process, so it is refused here.
 */
export function runCli(command: (context: CliContext) => Promise<number>): void {
  const run = async (): Promise<number> => {
    const config = loadConfig();
    if (!config.database.url) {
      console.error(
        'DATABASE_URL is not set. The embedded database belongs to the running npm start process; use the GraphQL admin mutations there.',
      );
      return 2;
    }
    const log = createLogger({ level: 'warn' });
    const db = createDatabase({ url: config.database.url, max: 1 }, log);
    try {
      await migrate(db, log);
      return await command({ config, db, log });
    } finally {
      await db.end();
    }
  };
  run().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
