/**
 * `npx tsx scripts/replay-dead-letters.ts [limit]`: publishes dead letters of
 * workflow.events (oldest first, at most `limit`, default 100) again to workflow.events,
 * with the same configuration the services read. The admin mutation replayDeadLetters
 * does the same through GraphQL.
 */
import { loadConfig } from '../platform/config';
import { createDatabase } from '../platform/db/pool';
import { Topics } from '../platform/events/topics';
import { createLogger } from '../platform/logger';
import { createRuntime } from '../platform/runtime';
import { DeadLetterQueue } from '../subgraphs/workflows/dead-letters';

async function main(): Promise<void> {
  const limit = Number(process.argv[2] ?? 100);
  if (!Number.isInteger(limit) || limit < 1) throw new Error('limit must be a positive integer');
  const config = loadConfig();
  const runtime = await createRuntime(
    config,
    createLogger({ level: config.logLevel, service: 'replay' }),
  );
  const db = createDatabase({ url: runtime.databaseUrl, max: 1 }, runtime.log);
  try {
    const queue = new DeadLetterQueue(db, runtime.bus, {
      source: runtime.topic(Topics.workflowEvents),
      dlq: runtime.topic(Topics.workflowEventsDlq),
    });
    const { replayed, skipped } = await queue.replay(limit);
    console.log(
      `replayed ${replayed} dead letter(s); ${skipped} could not be decoded and stay listed`,
    );
  } finally {
    await db.end();
    await runtime.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
