/**
 * The cost of authentication per gateway request, in one run: the exact steps the
 * gateway runs for each request (verify the API key through the cache, record the audit
 * entry, sign the identity for the subgraphs through its cache), timed call by call,
 * beside the same loop with authentication off (an empty step), and beside the JWT path
 * (an RS256 signature check on every request) for comparison. Real PostgreSQL behind the
 * key store; the first call of each path warms its cache and is not counted.
 *
 *   npx tsx bench/gateway/auth.ts [--calls 20000]
 */
import { parseArgs } from 'node:util';

import { SignJWT, exportSPKI, generateKeyPair } from 'jose';

import { ApiKeyStore, PERMISSIONS } from '../../platform/auth/api-keys';
import { Authenticator } from '../../platform/auth/authenticator';
import { IdentitySigner } from '../../platform/auth/identity-token';
import { JwtVerifier } from '../../platform/auth/jwt-verifier';
import { AuditLog } from '../../platform/audit/audit-log';
import { createDatabase } from '../../platform/db/pool';
import { migrate } from '../../platform/db/migrate';
import { createLogger } from '../../platform/logger';
import { createTestDatabase } from '../../tests/support/environment';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '20000' } } });
const CALLS = Number(values.calls);
const TARGET_P50_US = 200;

async function time(step: () => Promise<unknown>): Promise<number[]> {
  await step();
  const samples: number[] = [];
  for (let call = 0; call < CALLS; call++) {
    const started = process.hrtime.bigint();
    await step();
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  return samples.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

async function main(): Promise<void> {
  const log = createLogger({ level: 'silent' });
  const database = await createTestDatabase();
  const db = createDatabase({ url: database.url, max: 4 }, log);
  await migrate(db, log);
  const keys = new ApiKeyStore(db);
  const { key } = await keys.create({ name: 'bench', permissions: PERMISSIONS });
  const audit = new AuditLog(db, 'gateway', log);

  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwt = new JwtVerifier({
    key: { kind: 'public-key', pem: await exportSPKI(publicKey) },
    algorithms: ['RS256'],
    issuer: 'https://issuer.bench',
    audience: 'bench',
    clockToleranceSeconds: 5,
  });
  const token = await new SignJWT({ scope: 'workflows:read' })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer('https://issuer.bench')
    .setAudience('bench')
    .setSubject('user')
    .setExpirationTime('1h')
    .sign(privateKey);

  // A long cache TTL so no sample is a cache miss; the miss cost is one indexed SELECT.
  const authenticator = new Authenticator(keys, { audit, jwt, cacheTtlMs: 3_600_000 });
  const signer = new IdentitySigner('bench-identity-secret-bench-identity-secret');
  const context = { ip: '127.0.0.1', route: '/graphql', requestId: 'bench' };
  const apiKeyHeaders = { 'x-api-key': key };
  const jwtHeaders = { authorization: `Bearer ${token}` };

  const off = await time(async () => undefined);
  const apiKey = await time(async () =>
    signer.sign(await authenticator.authenticate(apiKeyHeaders, context)),
  );
  const bearer = await time(async () =>
    signer.sign(await authenticator.authenticate(jwtHeaders, context)),
  );

  const rows = [
    ['auth off (empty step)', off],
    ['API key, cached (+ audit, identity)', apiKey],
    ['JWT RS256 (+ audit, identity)', bearer],
  ] as const;
  console.log(`\nauthentication per request, ${CALLS} calls each, real PostgreSQL key store\n`);
  console.log('| path | p50 µs | p99 µs | p50 minus auth off, µs |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, samples] of rows) {
    console.log(
      `| ${name} | ${percentile(samples, 50).toFixed(1)} | ${percentile(samples, 99).toFixed(1)} | ${(percentile(samples, 50) - percentile(off, 50)).toFixed(1)} |`,
    );
  }
  const cost = percentile(apiKey, 50) - percentile(off, 50);
  console.log(
    `\ncached API key authentication costs ${cost.toFixed(1)} µs at p50: ${(cost / TARGET_P50_US).toFixed(2)}x of the ${TARGET_P50_US} µs target\n`,
  );

  await audit.flush();
  await db.end();
  await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
