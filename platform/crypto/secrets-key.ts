/**
 * The key that seals stored secrets (secret-box.ts): HOOK_SECRETS_KEY, 32 bytes in
 * base64. Required in production. Elsewhere, when unset, a key is generated once into
 * DATA_DIR/secrets.key (mode 0600) and reused, so a development machine and the embedded
 * default keep their secrets readable across restarts without any setup.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Config } from '../config';
import type { Logger } from '../logger';
import { SecretBox } from './secret-box';

export async function createSecretBox(config: Config, log: Logger): Promise<SecretBox> {
  const { key, previousKeys } = config.secrets;
  if (key) return new SecretBox(key, previousKeys);
  if (config.env === 'production') {
    throw new Error(
      'HOOK_SECRETS_KEY is required in production: 32 random bytes in base64 (openssl rand -base64 32)',
    );
  }
  const file = path.resolve(config.dataDir, 'secrets.key');
  return new SecretBox(await developmentKey(file, log), previousKeys);
}

async function developmentKey(file: string, log: Logger): Promise<Buffer> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    // 'wx': of several processes starting at once, exactly one creates the file.
    await writeFile(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    log.warn(
      { file },
      'HOOK_SECRETS_KEY is not set: generated a development key for stored secrets',
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}
