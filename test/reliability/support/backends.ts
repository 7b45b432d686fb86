import { loadConfig } from '@pledgewatch/config';

export type QueueBackend = 'redis' | 'postgres';

/**
 * The queue backends this build can run on. Redis always; PostgreSQL once libs/config validates
 * QUEUE_BACKEND and accepts `postgres` (a config that ignores the variable would accept any value,
 * so a nonsense value must be refused first). RELIABILITY_BACKENDS=redis,postgres overrides.
 */
export function queueBackends(): QueueBackend[] {
  const forced = process.env.RELIABILITY_BACKENDS;
  if (forced) return forced.split(',').map((b) => b.trim()).filter((b): b is QueueBackend => b === 'redis' || b === 'postgres');
  const accepts = (value: string) => {
    try {
      loadConfig({ QUEUE_BACKEND: value, REDIS_URL: 'redis://127.0.0.1:6379' });
      return true;
    } catch {
      return false;
    }
  };
  return !accepts('no-such-backend') && accepts('postgres') ? ['redis', 'postgres'] : ['redis'];
}
