/**
 * `npm run compose`: composes schema/*.graphql into schema/supergraph.graphql.
 * `--check` exits 1 when the checked-in supergraph differs from a fresh composition.
 */
import { readFile, writeFile } from 'node:fs/promises';

import { SUPERGRAPH_FILE, composeSupergraph } from '../platform/graphql/compose';

async function main(): Promise<void> {
  const supergraph = await composeSupergraph();
  if (process.argv.includes('--check')) {
    const current = await readFile(SUPERGRAPH_FILE, 'utf8').catch(() => '');
    if (current !== supergraph) {
      console.error(`${SUPERGRAPH_FILE} is stale: run npm run compose`);
      process.exit(1);
    }
    console.log('supergraph is up to date');
    return;
  }
  await writeFile(SUPERGRAPH_FILE, supergraph);
  console.log(`wrote ${SUPERGRAPH_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
