import type { RedisClusterConfig } from '@pledgewatch/config';
import type { RedisOptions } from 'bullmq';
import type { ClusterOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker';

/**
 * ioredis options for REDIS_URL. Producers and workers want opposite failure modes:
 *
 * - a producer (the outbox dispatcher, the cron) must fail fast when Redis is down, so the
 *   enqueue errors at once and Postgres keeps the work (dispatchedAt stays null) for the relay;
 * - a worker's blocking connection must wait out an outage: BullMQ requires
 *   `maxRetriesPerRequest: null` there (it refuses to start otherwise).
 *
 * Reconnects back off to at most 2 s, so a Redis that returns is noticed quickly.
 */
export function redisOptions(redisUrl: string, role: RedisRole): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  const options: RedisOptions = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    db: Number.isInteger(db) ? db : 0,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  };
  if (url.username) options.username = decodeURIComponent(url.username);
  if (url.password) options.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') options.tls = {};
  if (role === 'worker') {
    options.maxRetriesPerRequest = null;
  } else {
    options.enableOfflineQueue = false;
    options.maxRetriesPerRequest = 1;
  }
  return options;
}

/**
 * ioredis Cluster options for REDIS_CLUSTER_NODES, with the same producer/worker split. Queue keys
 * share one hash tag (`{pw}`, job-catalog.ts), so BullMQ's multi-key scripts stay in one slot.
 */
export function clusterOptions(cluster: RedisClusterConfig, role: RedisRole): ClusterOptions {
  const nodeOptions: NonNullable<ClusterOptions['redisOptions']> = {};
  if (cluster.username) nodeOptions.username = cluster.username;
  if (cluster.password) nodeOptions.password = cluster.password;
  if (cluster.tls) nodeOptions.tls = {};
  const options: ClusterOptions = {
    redisOptions: nodeOptions,
    clusterRetryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  };
  if (role === 'worker') {
    nodeOptions.maxRetriesPerRequest = null;
  } else {
    options.enableOfflineQueue = false;
    nodeOptions.maxRetriesPerRequest = 1;
  }
  return options;
}
