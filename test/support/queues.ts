import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { loadConfig, QueueBackendName } from '@pledgewatch/config';
import { QueueBackend } from '@pledgewatch/queue';

/**
 * The queue backend this Jest project runs on: jest.config.js runs the queue-dependent suites once
 * per backend, the `postgres-queues` project with PW_TEST_QUEUE_BACKEND=postgres (its setup file);
 * the `redis` project always uses Redis (REDIS_URL, else 127.0.0.1:6379), whatever backend
 * `npm test` resolved for the apps. Test files take the backend from the helpers that build their
 * environment (testEnv, bootApi, queueEnv, testQueueBackend), never from a check of their own, so
 * both runs make the same assertions.
 */
export const TEST_QUEUE_BACKEND: QueueBackendName = process.env.PW_TEST_QUEUE_BACKEND === 'postgres' ? 'postgres' : 'redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The name /health/ready gives this project's queue backend (libs/queue/src/queue-health.ts). */
export const TEST_QUEUE_INDICATOR = TEST_QUEUE_BACKEND === 'postgres' ? 'postgres-queues' : 'redis';

/** Which database each queue prefix's PostgreSQL-backed queues live in, for dropQueueKeys. */
const databases = new Map<string, string>();

/** A queue prefix of the calling test's own, so the jobs its writes enqueue can be dropped after. */
export function testQueuePrefix(name: string): string {
  return `test-${name}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The queue part of a test's environment; remembers where the prefix's queues live. */
export function queueEnv(databaseUrl?: string, queuePrefix?: string): Record<string, string> {
  if (databaseUrl && queuePrefix) databases.set(queuePrefix, databaseUrl);
  return { QUEUE_BACKEND: TEST_QUEUE_BACKEND, REDIS_URL };
}

/**
 * A QueueBackend of the project's backend for a test's prefix, for tests that build a BullMQ Queue
 * of their own (`backend.queue(name)`); close it with `onApplicationShutdown()` after the queues.
 */
export function testQueueBackend(queuePrefix: string, databaseUrl?: string): QueueBackend {
  const url = databaseUrl ?? databases.get(queuePrefix);
  if (url) databases.set(queuePrefix, url);
  return new QueueBackend(loadConfig({ NODE_ENV: 'test', ...queueEnv(), QUEUE_PREFIX: queuePrefix, ...(url ? { DATABASE_URL: url } : {}) }));
}

/**
 * Deletes everything under a test's queue prefix (call after app.close(), which waits for
 * dispatches). Redis: every key of every queue and the rate limiter's. PostgreSQL backend: every
 * job of every queue in the schema of the database the prefix was registered with (queueEnv); a
 * prefix whose database is unknown has nothing to clean: that database is the test's own, dropped
 * whole.
 */
export async function dropQueueKeys(prefix: string, redisUrl = REDIS_URL): Promise<void> {
  if (TEST_QUEUE_BACKEND === 'postgres') {
    if (!databases.has(prefix)) return;
    const backend = testQueueBackend(prefix);
    try {
      await backend.removeAllJobs();
    } finally {
      await backend.onApplicationShutdown();
    }
    return;
  }
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
