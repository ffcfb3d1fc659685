import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { loadConfig } from '../../../platform/config';
import { SecretBox, SecretBoxError } from '../../../platform/crypto/secret-box';
import { createSecretBox } from '../../../platform/crypto/secrets-key';
import { createLogger } from '../../../platform/logger';

const log = createLogger({ level: 'silent', service: 'test' });

describe('SecretBox', () => {
  it('opens what it sealed, and seals the same secret differently each time', () => {
    const box = new SecretBox(randomBytes(32));
    const first = box.seal('whsec_abc');
    const second = box.seal('whsec_abc');
    expect(first).not.toBe(second);
    expect(first).not.toContain('whsec_abc');
    expect([box.open(first), box.open(second)]).toEqual(['whsec_abc', 'whsec_abc']);
  });

  it('refuses a value that was changed, or sealed with a key it does not have', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('secret');
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[4] as string, 'base64url');
    flipped[0] = (flipped[0] as number) ^ 1;
    parts[4] = flipped.toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow(/integrity check/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(SecretBoxError);
    expect(() => box.open('secret')).toThrow(/not a sealed value/);
  });

  it('opens with a previous key after a rotation and says what needs resealing', () => {
    const oldKey = randomBytes(32);
    const sealedBefore = new SecretBox(oldKey).seal('rotated');
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    expect(rotated.open(sealedBefore)).toBe('rotated');
    expect(rotated.needsResealing(sealedBefore)).toBe(true);
    expect(rotated.needsResealing(rotated.seal('rotated'))).toBe(false);
    expect(rotated.needsResealing('in the clear')).toBe(true);
  });
});

describe('createSecretBox', () => {
  it('generates one development key into DATA_DIR and reuses it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'onb-secrets-'));
    try {
      const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
      const [first, second] = await Promise.all([
        createSecretBox(config, log),
        createSecretBox(config, log),
      ]);
      expect(second.open(first.seal('kept across restarts'))).toBe('kept across restarts');
      const file = path.join(dataDir, 'secrets.key');
      expect(Buffer.from(await readFile(file, 'utf8'), 'base64')).toHaveLength(32);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('requires HOOK_SECRETS_KEY in production, and takes only a 32-byte key', async () => {
    await expect(createSecretBox(loadConfig({ NODE_ENV: 'production' }), log)).rejects.toThrow(
      /HOOK_SECRETS_KEY is required in production/,
    );
    expect(() => loadConfig({ HOOK_SECRETS_KEY: randomBytes(16).toString('base64') })).toThrow(
      /32 bytes/,
    );
    const key = randomBytes(32).toString('base64');
    const box = await createSecretBox(
      loadConfig({ NODE_ENV: 'production', HOOK_SECRETS_KEY: key }),
      log,
    );
    expect(new SecretBox(Buffer.from(key, 'base64')).open(box.seal('x'))).toBe('x');
  });
});
