import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A queue prefix of the calling test's own, so the jobs its writes enqueue can be dropped after. */
export function testQueuePrefix(name: string): string {
  return `test-${name}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Deletes every Redis key under a test's queue prefix — every queue's, and the rate limiter's
 * (call after app.close(), which waits for dispatches).
 */
export async function dropQueueKeys(prefix: string, redisUrl = REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const match of [`{${prefix}}:*`, `${prefix}:*`]) {
      for await (const keys of redis.scanStream({ match, count: 1000 })) {
        if ((keys as string[]).length) await redis.unlink(...(keys as string[]));
      }
    }
  } finally {
    redis.disconnect();
  }
}
