/** `npm run api-key`: create, list and revoke on a real database, as an operator runs it. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';

import { ApiKeyStore } from '../../../platform/auth/api-keys';
import { createTestDatabase } from '../../support/environment';

const ROOT = path.resolve(__dirname, '../../..');

describe('api-key CLI', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const cli = (...args: string[]) =>
    promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsx'), ['bin/api-key.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], DATABASE_URL: database.url },
    });

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('creates a key shown once, lists it by prefix, and revokes it', async () => {
    const created = await cli(
      'create',
      '--name',
      'ci',
      '--permissions',
      'hooks:write,workflows:read',
    );
    const id = /id:\s+(\S+)/.exec(created.stdout)?.[1] as string;
    const key = /key:\s+(onb_\S+)/.exec(created.stdout)?.[1] as string;

    const db = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      const store = new ApiKeyStore(db);
      expect(await store.verify(key)).toMatchObject({
        ok: true,
        identity: { keyId: id, permissions: ['hooks:write', 'workflows:read'] },
      });

      const listed = await cli('list');
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).toContain(key.slice(0, 12));
      expect(listed.stdout).not.toContain(key);

      await cli('revoke', id);
      expect(await store.verify(key)).toMatchObject({ ok: false, reason: 'revoked' });
    } finally {
      await db.end();
    }
  });

  it('refuses an unknown permission without creating anything', async () => {
    const before = (await cli('list', '--all')).stdout;
    await expect(cli('create', '--name', 'x', '--permissions', 'root')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown permission\(s\): root/),
    });
    expect((await cli('list', '--all')).stdout).toBe(before);
  });
});
