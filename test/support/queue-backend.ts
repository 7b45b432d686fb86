import { loadConfig, QueueBackendName } from '@pledgewatch/config';
import { QueueBackend } from '@pledgewatch/queue';

/**
 * The queue backend this Jest project runs on: jest.config.js runs the queue-dependent suites once
 * per backend, the `postgres-queues` project with PW_TEST_QUEUE_BACKEND=postgres (its setup file);
 * the `redis` project always uses Redis (REDIS_URL, else 127.0.0.1:6379), whatever backend
 * `npm test` resolved for the apps. Test files take the backend from the helpers that build their
 * environment (testEnv, bootApi, queueEnv), never from a check of their own, so both runs make
 * the same assertions.
 */
export const TEST_QUEUE_BACKEND: QueueBackendName = process.env.PW_TEST_QUEUE_BACKEND === 'postgres' ? 'postgres' : 'redis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Which database each queue prefix's PostgreSQL-backed queues live in, for removeTestQueues. */
const databases = new Map<string, string>();

/** The queue part of a test's environment; remembers where the prefix's queues live. */
export function queueEnv(databaseUrl?: string, queuePrefix?: string): Record<string, string> {
  if (databaseUrl && queuePrefix) databases.set(queuePrefix, databaseUrl);
  return { QUEUE_BACKEND: TEST_QUEUE_BACKEND, REDIS_URL: TEST_REDIS_URL };
}

/**
 * Deletes every job of every queue under `queuePrefix`, on the project's backend (on PostgreSQL, in
 * the schema of the database the prefix was registered with by queueEnv). A PostgreSQL prefix
 * whose database is unknown has nothing to clean: that database is the test's own, dropped whole.
 */
export async function removeTestQueues(queuePrefix: string): Promise<void> {
  const databaseUrl = databases.get(queuePrefix);
  if (TEST_QUEUE_BACKEND === 'postgres' && !databaseUrl) return;
  const config = loadConfig({ NODE_ENV: 'test', ...queueEnv(), QUEUE_PREFIX: queuePrefix, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  const backend = new QueueBackend(config);
  try {
    await backend.removeAllJobs();
  } finally {
    await backend.onApplicationShutdown();
  }
}
