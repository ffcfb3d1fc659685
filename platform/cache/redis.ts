/**
 * The Redis client (ioredis) for rate limits, key-revocation broadcasts and caches.
 * Commands fail fast while Redis is down instead of queueing without bound, so callers
 * can apply their fail-open or fail-closed policy at once.
 */
import { Redis } from 'ioredis';

import type { Logger } from '../logger';

export type RedisClient = Redis;

export function createRedis(url: string, log: Logger): RedisClient {
  const redisLog = log.child({ component: 'redis' });
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastError: string | undefined;
  client.on('error', (error: Error) => {
    // Reconnect attempts repeat the same error; log each distinct one once.
    if (error.message !== lastError) redisLog.warn({ err: error }, 'redis connection error');
    lastError = error.message;
  });
  client.on('ready', () => {
    if (lastError) redisLog.info('redis connection restored');
    lastError = undefined;
  });
  return client;
}

export async function pingRedis(client: RedisClient): Promise<void> {
  const answer = await client.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer: ${answer}`);
}
