import type { QueueBackendName } from '@pledgewatch/config';
import { QUEUE_NAMES, QueueName } from './job-catalog';
import { JobQueues } from './job-queues';

export interface QueueBackendHealth {
  /** Which store carries the queues (the one the readiness check names when it is down). */
  backend: QueueBackendName;
  /**
   * The readiness indicator's name: `redis`, or `postgres-queues` on BullMQ's PostgreSQL backend
   * (apart from the application database's own `postgres` check, though the same server).
   */
  indicator: 'redis' | 'postgres-queues';
  up: boolean;
  error?: string;
}

/** Job counts of one queue, by the states an operator watches. */
export type QueueDepth = Record<'waiting' | 'active' | 'delayed' | 'failed', number>;

/** `work`, or a rejection when it has not settled within `ms` (a late settlement is dropped). */
export function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Whether the queue backend answers, through the producer connection this process already has.
 * The one place readiness asks, on either backend (QUEUE_BACKEND): the same count goes to Redis
 * (or the cluster) or to the queue schema in PostgreSQL.
 */
export async function queueBackendHealth(queues: JobQueues, timeoutMs = 2_000): Promise<QueueBackendHealth> {
  const backend = queues.backendName;
  const indicator = backend === 'postgres' ? 'postgres-queues' : 'redis';
  try {
    // One cheap round trip through the backend-neutral Queue API (a count), not a Redis PING.
    await within(timeoutMs, queues.queue(QUEUE_NAMES[0]).getJobCounts('active'));
    return { backend, indicator, up: true };
  } catch (error) {
    return { backend, indicator, up: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Waiting, active, delayed and failed jobs of every catalog queue (for the queue-depth gauge). */
export async function queueDepths(queues: JobQueues, timeoutMs = 2_000): Promise<Map<QueueName, QueueDepth>> {
  const depths = new Map<QueueName, QueueDepth>();
  for (const name of QUEUE_NAMES) {
    // Email jobs carry a priority (EMAIL_PRIORITY): BullMQ counts those apart, as `prioritized`.
    const counts = await within(timeoutMs, queues.queue(name).getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'));
    const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    depths.set(name, { waiting, active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 });
  }
  return depths;
}
