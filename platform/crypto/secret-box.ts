/**
 * Encryption at rest for secrets the system must read back in the clear (webhook signing
 * secrets: an HMAC needs the secret itself, so unlike API keys they cannot be hashed).
 * AES-256-GCM with a random 96-bit nonce per value; the authentication tag makes any
 * change to a stored value fail to open instead of yielding a wrong secret.
 *
 * A sealed value names its key by a short id (the start of the key's SHA-256), so keys
 * rotate: seal with the current key, open with it or any previous one, and reseal what a
 * previous key sealed (resealed() says which).
 *
 *   v1:<key id>:<nonce>:<tag>:<ciphertext>   (base64url parts)
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export class SecretBox {
  private readonly current: { id: string; key: Buffer };
  private readonly byId: Map<string, Buffer>;

  /** `current` seals; `previous` keys only open what they sealed before a rotation. */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== KEY_BYTES) throw new SecretBoxError(`a key must be ${KEY_BYTES} bytes`);
    }
    this.current = { id: keyId(current), key: current };
    this.byId = new Map([current, ...previous].map((key) => [keyId(key), key]));
  }

  static isSealed(value: string): boolean {
    return value.startsWith(`${VERSION}:`);
  }

  seal(plaintext: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.current.id,
      nonce.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join(':');
  }

  open(sealed: string): string {
    const [version, id, nonce, tag, ciphertext, ...rest] = sealed.split(':');
    if (version !== VERSION || !id || !nonce || !tag || ciphertext === undefined || rest.length) {
      throw new SecretBoxError('not a sealed value');
    }
    const key = this.byId.get(id);
    if (!key) throw new SecretBoxError(`sealed with key ${id}, which is not configured`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // Never the cause: it would say nothing useful and might echo input.
      throw new SecretBoxError(`a value sealed with key ${id} failed its integrity check`);
    }
  }

  /** True when `sealed` is in the clear or sealed with another key than the current one. */
  needsResealing(value: string): boolean {
    return !SecretBox.isSealed(value) || value.split(':')[1] !== this.current.id;
  }
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}
