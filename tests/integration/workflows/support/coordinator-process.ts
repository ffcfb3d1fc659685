/**
 * A workflows coordinator in its own process, for tests that kill one mid-run. Reads the
 * usual environment (DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX...) plus
 * TEST_LEASE_MS, and prints `ready <url>` once it serves.
 */
import { loadConfig } from '../../../../platform/config';
import { createLogger } from '../../../../platform/logger';
import { createRuntime } from '../../../../platform/runtime';
import { createWorkflowsService } from '../../../../subgraphs/workflows/service';

async function main(): Promise<void> {
  const config = loadConfig();
  const runtime = await createRuntime(
    config,
    createLogger({ level: config.logLevel, service: 'child' }),
  );
  const service = await createWorkflowsService(runtime, {
    instanceId: 'child-coordinator',
    leaseMs: Number(process.env['TEST_LEASE_MS'] ?? 1_000),
    sweepIntervalMs: 100,
  });
  await service.start();
  process.stdout.write(`ready ${service.url}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
