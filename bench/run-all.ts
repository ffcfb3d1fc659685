/**
 * `npm run bench`: every benchmark, one after another (never side by side: they would
 * share the two cores and measure each other). Each prints its own table.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHMARKS = [
  ['intake', 'bench/intake/run.ts'],
  ['workflows', 'bench/workflows/run.ts'],
  ['inference', 'bench/inference/run.ts'],
  ['gateway authentication', 'bench/gateway/auth.ts'],
  ['gateway rate limits', 'bench/gateway/run.ts'],
] as const;

const root = path.resolve(__dirname, '..');
let failed = 0;
for (const [name, script] of BENCHMARKS) {
  console.log(`\n=== ${name} (${script})`);
  const result = spawnSync(path.join(root, 'node_modules/.bin/tsx'), [script], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed++;
    console.error(`${name} failed with status ${result.status}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
