/**
 * Tells every replica at once that an API key was revoked, so cached verifications are
 * dropped in milliseconds instead of at cache expiry: Redis pub/sub when Redis is
 * configured, an in-process emitter in the embedded default.
 */
import { EventEmitter } from 'node:events';

import type { RedisClient } from '../cache/redis';
import type { Logger } from '../logger';

export interface RevocationFeed {
  publish(keyId: string): Promise<void>;
  onRevoked(listener: (keyId: string) => void): () => void;
  close(): Promise<void>;
}

const CHANNEL = 'omninode:api-key-revoked';

export class LocalRevocationFeed implements RevocationFeed {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(keyId: string): Promise<void> {
    this.emitter.emit('revoked', keyId);
  }

  onRevoked(listener: (keyId: string) => void): () => void {
    this.emitter.on('revoked', listener);
    return () => this.emitter.off('revoked', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

export class RedisRevocationFeed implements RevocationFeed {
  private readonly local = new LocalRevocationFeed();
  private readonly subscriber: RedisClient;

  constructor(
    private readonly redis: RedisClient,
    log: Logger,
  ) {
    // A connection in subscriber mode can run no other command: it gets its own.
    this.subscriber = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
    this.subscriber.on(
      'message',
      (_channel: string, keyId: string) => void this.local.publish(keyId),
    );
    this.subscriber
      .subscribe(CHANNEL)
      .catch((error: unknown) =>
        log.warn({ err: error }, 'revocation feed not subscribed; cache expiry still applies'),
      );
  }

  async publish(keyId: string): Promise<void> {
    // Locally at once, even if Redis is down; other replicas fall back to cache expiry.
    await this.local.publish(keyId);
    await this.redis.publish(CHANNEL, keyId).catch(() => undefined);
  }

  onRevoked(listener: (keyId: string) => void): () => void {
    return this.local.onRevoked(listener);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber.disconnect();
  }
}
