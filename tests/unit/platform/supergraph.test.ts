import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  CompositionError,
  SUPERGRAPH_FILE,
  composeSupergraph,
} from '../../../platform/graphql/compose';

describe('the checked-in supergraph', () => {
  it('matches a fresh composition of schema/*.graphql (run `npm run compose` if this fails)', async () => {
    const [fresh, checkedIn] = await Promise.all([
      composeSupergraph(),
      readFile(SUPERGRAPH_FILE, 'utf8'),
    ]);

    expect(checkedIn).toBe(fresh);
  });

  it('fails composition with the reason when subgraphs disagree', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'onb-compose-'));
    const sdl = await readFile(path.join(path.dirname(SUPERGRAPH_FILE), 'hooks.graphql'), 'utf8');
    // A second subgraph defining the same non-shareable field breaks composition.
    await writeFile(path.join(dir, 'a.graphql'), sdl);

    await expect(
      composeSupergraph([
        { name: 'a', file: path.join(dir, 'a.graphql'), url: 'http://a' },
        { name: 'b', file: path.join(dir, 'a.graphql'), url: 'http://b' },
      ]),
    ).rejects.toThrow(CompositionError);
  });
});
