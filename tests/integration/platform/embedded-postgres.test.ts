/**
 * The embedded database under concurrent use from several pooled connections, as the four
 * services in one process use it: parameterized queries (the extended protocol) from
 * different connections must never see each other's statements or portals.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../../..');

it('keeps concurrent parameterized queries from different connections apart', async () => {
  const { stdout } = await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    [path.join(__dirname, 'fixtures/pglite-concurrency.ts')],
    { cwd: ROOT, timeout: 90_000 },
  );
  const result = JSON.parse(stdout.trim().split('\n').pop() as string) as {
    queries: number;
    wrong: number;
    failed: number;
  };

  expect(result).toEqual({ queries: 400, wrong: 0, failed: 0 });
});
