/**
 * The hooks service of bench/intake, in its own process as in production, so the load
 * generator's HTTP client does not share the service's event loop (the raw-pg baselines
 * have no such client: their driver is the thing measured). Prints one JSON line
 * {url, key} once listening; on a line "stop" on stdin, prints {cpuMs} of its phase
 * and exits.
 *
 *   started by bench/intake/run.ts with DATABASE_URL of a fresh database
 */
import { createInterface } from 'node:readline';

import { ApiKeyStore } from '../../platform/auth/api-keys';
import { createDatabase } from '../../platform/db/pool';
import { createLogger } from '../../platform/logger';
import { createRuntime } from '../../platform/runtime';
import { createHooksService } from '../../subgraphs/hooks/service';
import { realServersConfig } from '../../tests/support/environment';

async function main(): Promise<void> {
  const databaseUrl = process.env['DATABASE_URL'];
  if (databaseUrl === undefined) throw new Error('DATABASE_URL is required');
  const silent = createLogger({ level: 'silent', service: 'bench' });
  const config = realServersConfig(databaseUrl, { KAFKA_BROKERS: '', LOG_LEVEL: 'silent' });
  const runtime = await createRuntime(config, silent);
  const service = await createHooksService(runtime);
  await service.start();
  const adminDb = createDatabase({ url: runtime.databaseUrl, max: 1 }, silent);
  const { key } = await new ApiKeyStore(adminDb).create({
    name: 'bench',
    permissions: ['hooks:write'],
  });
  await adminDb.end();
  let cpuFrom = process.cpuUsage();
  console.log(JSON.stringify({ url: service.url, key, poolMax: config.database.poolMax }));

  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'mark') {
      cpuFrom = process.cpuUsage();
      console.log(JSON.stringify({ marked: true }));
    } else if (line === 'cpu') {
      const used = process.cpuUsage(cpuFrom);
      console.log(JSON.stringify({ cpuMs: (used.user + used.system) / 1000 }));
    } else if (line === 'stop') {
      break;
    }
  }
  await service.stop();
  await runtime.stop();
  // stdin stays referenced after the loop; nothing else is left to finish.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
