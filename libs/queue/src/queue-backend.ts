import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig, QueueBackendName } from '@pledgewatch/config';
import { AdvancedOptions, createPostgresBackend, Processor, Queue, runMigrations, Worker, withBackend } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { RateLimiterAbstract, RateLimiterPostgres, RateLimiterRedis } from 'rate-limiter-flexible';
import { QUEUE_NAMES, QueueName, queueKeyPrefix } from './job-catalog';
import { clusterOptions, redisOptions, RedisRole } from './redis-connection';
import { PostgresSendPacer, RedisSendPacer, SendPacer, sendPaceSql } from './send-pacer';

/**
 * Query connections per queue or worker on the PostgreSQL backend (a worker also holds one LISTEN
 * connection of its own). A worker process (five queues) opens at most about 30, an API process 10.
 */
const PRODUCER_POOL_MAX = 2;
const WORKER_POOL_MAX = 5;

const PgBackend = withBackend(createPostgresBackend);

/**
 * The PostgreSQL backend's schema for a QUEUE_PREFIX: `pw` → `bullmq_pw`. The prefix namespaces
 * queues in Redis; here the schema does (BullMQ ignores `prefix` on PostgreSQL), so two prefixes
 * on one database stay apart as they do on one Redis.
 */
export function queueSchema(queuePrefix: string): string {
  return `bullmq_${queuePrefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/** How a worker runs beyond its concurrency: custom backoff strategies, a limit on job starts. */
export interface WorkerTuning {
  settings?: AdvancedOptions;
  limiter?: { max: number; duration: number };
}

export interface RateLimiterSpec {
  /** Namespace of the counters (`subscribe-ip`). */
  name: string;
  points: number;
  durationSeconds: number;
}

/**
 * Where the queues live, chosen once per process from QUEUE_BACKEND (libs/config): Redis (one
 * server or a Redis Cluster) or BullMQ's PostgreSQL backend in a schema of its own in the
 * application's database. Producers, processors, crons and the job catalog only ever see BullMQ's
 * `Queue` and `Worker`; this class is the only place that knows which backend built them. The
 * subscribe rate limiter keeps its counters in the same store, so a deployment without Redis needs
 * none anywhere.
 */
@Injectable()
export class QueueBackend implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(QueueBackend.name);
  readonly name: QueueBackendName;
  private pool: pg.Pool | undefined;
  private readonly redisClients = new Set<Redis | Cluster>();
  private prepared: Promise<void> | undefined;
  private rateLimitClient: Redis | Cluster | undefined;

  constructor(private readonly config: AppConfig) {
    this.name = config.queueBackend;
  }

  /** The PostgreSQL backend's schema is created or migrated before anything uses it. */
  async onModuleInit(): Promise<void> {
    await this.prepare();
  }

  /** Idempotent: BullMQ's migrator serializes concurrent starters with an advisory lock. */
  prepare(): Promise<void> {
    this.prepared ??= this.name === 'postgres' ? this.migratePostgres() : Promise.resolve();
    return this.prepared;
  }

  get schema(): string {
    return queueSchema(this.config.queuePrefix);
  }

  /** A queue to enqueue to and inspect. `role` picks Redis's failure mode (redis-connection.ts). */
  queue(name: QueueName, role: RedisRole = 'producer'): Queue {
    if (this.name === 'postgres') return new PgBackend.Queue(name, { connection: this.postgresConnection(PRODUCER_POOL_MAX) }) as unknown as Queue;
    return new Queue(name, { connection: this.redisConnection(role), prefix: queueKeyPrefix(this.config.queuePrefix) });
  }

  /**
   * `settings`: the custom backoff strategies (BullMQ computes retry delays worker-side, on either
   * backend). `limiter`: BullMQ's own limit on job starts, queue-wide on both backends; a worker
   * needs one for `rateLimit()` (a pause for every worker) to hold it back at all.
   */
  worker(name: QueueName, processor: Processor, concurrency: number, options: WorkerTuning = {}): Worker {
    const tuning = { ...(options.settings ? { settings: options.settings } : {}), ...(options.limiter ? { limiter: options.limiter } : {}) };
    if (this.name === 'postgres') {
      const connection = this.postgresConnection(Math.min(concurrency, WORKER_POOL_MAX));
      return new PgBackend.Worker(name, processor, { connection, concurrency, ...tuning }) as unknown as Worker;
    }
    return new Worker(name, processor, { connection: this.redisConnection('worker'), prefix: queueKeyPrefix(this.config.queuePrefix), concurrency, ...tuning });
  }

  /**
   * A schedule of sends shared by every process (send-pacer.ts), in the same store as the rate
   * limiter's counters: a Redis hash `<QUEUE_PREFIX>:pace:{<name>}` or a row of `send_pace` in the
   * queue schema.
   */
  sendPacer(name: string): SendPacer {
    if (this.name === 'postgres') return new PostgresSendPacer(this.rateLimitPool(), this.schema, name);
    return new RedisSendPacer(this.rateLimitRedis(), `${this.config.queuePrefix}:pace:{${name}}`);
  }

  /** Counters shared by every process of the deployment, in the queues' store. */
  rateLimiter({ name, points, durationSeconds }: RateLimiterSpec): RateLimiterAbstract {
    if (this.name === 'postgres') {
      return new RateLimiterPostgres({
        storeClient: this.rateLimitPool(),
        schemaName: this.schema,
        tableName: 'rate_limits',
        tableCreated: true, // by prepare()
        clearExpiredByTimeout: false,
        keyPrefix: name,
        points,
        duration: durationSeconds,
      });
    }
    const client = this.rateLimitRedis();
    // One key per command (an atomic script); callers put a hash tag in the key for Redis Cluster.
    return new RateLimiterRedis({ storeClient: client, keyPrefix: `${this.config.queuePrefix}:ratelimit:${name}`, points, duration: durationSeconds });
  }

  /** Deletes every job of every queue under this prefix (tests and benchmarks clean up with it). */
  async removeAllJobs(): Promise<void> {
    await this.prepare();
    for (const name of QUEUE_NAMES) {
      const queue = this.queue(name, 'worker');
      queue.on('error', () => undefined); // a failure rejects obliterate() below
      try {
        await queue.obliterate({ force: true });
      } finally {
        await queue.close();
      }
    }
  }

  /** Closes what this process opened, after every queue and worker has closed (onModuleDestroy). */
  async onApplicationShutdown(): Promise<void> {
    const clients = [...this.redisClients];
    this.redisClients.clear();
    this.rateLimitClient = undefined;
    for (const client of clients) client.disconnect();
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  /**
   * The rate limiter's Redis client: connects on first use (a process that never subscribes anyone
   * holds no connection), queues that first command, and gives up on one within a second.
   */
  private rateLimitRedis(): Redis | Cluster {
    if (this.rateLimitClient) return this.rateLimitClient;
    const cluster = this.config.redisCluster;
    const node = { connectionName: 'pledgewatch-ratelimit', commandTimeout: 1_000, connectTimeout: 2_000, maxRetriesPerRequest: 1 };
    const client = cluster
      ? new Cluster(cluster.nodes, {
          ...clusterOptions(cluster, 'producer'),
          enableOfflineQueue: true,
          lazyConnect: true,
          redisOptions: { ...clusterOptions(cluster, 'producer').redisOptions, ...node },
        })
      : new Redis({ ...redisOptions(this.config.redisUrl, 'producer'), enableOfflineQueue: true, lazyConnect: true, ...node });
    let reported = false;
    client.on('error', (error: Error) => {
      if (!reported) this.logger.warn(`Redis unreachable for rate limits (subscribe answers 503): ${error.message}`);
      reported = true;
    });
    client.on('ready', () => (reported = false));
    this.redisClients.add(client);
    this.rateLimitClient = client;
    return client;
  }

  /**
   * BullMQ builds its own connections from options; a cluster has to be handed over as a client
   * (BullMQ duplicates it for a worker's blocking connection), which this class then closes.
   */
  private redisConnection(role: RedisRole) {
    const cluster = this.config.redisCluster;
    if (!cluster) return redisOptions(this.config.redisUrl, role);
    const client = new Cluster(cluster.nodes, clusterOptions(cluster, role));
    client.on('error', () => undefined); // the Queue/Worker reports errors itself
    this.redisClients.add(client);
    return client;
  }

  /**
   * BullMQ builds (and closes) a pool per queue or worker from this; the schema pins each
   * connection's search_path, so its unqualified SQL lands there. `migrate: true`: a queue built
   * before onModuleInit's prepare() (the API's Bull Board takes its queues while the app is being
   * created) migrates on its first connection instead of failing for good on a missing schema.
   */
  private postgresConnection(max: number) {
    return { connectionString: this.config.databaseUrl, schema: this.schema, max, migrate: true, application_name: 'pledgewatch-queues' };
  }

  /** The rate limiter's pool (its SQL names the schema itself). */
  private rateLimitPool(): pg.Pool {
    if (!this.pool) {
      this.pool = new pg.Pool({ connectionString: this.config.databaseUrl, max: PRODUCER_POOL_MAX, application_name: 'pledgewatch-ratelimit' });
      this.pool.on('error', (error) => this.logger.warn(`rate limit database: ${error.message}`));
    }
    return this.pool;
  }

  private async migratePostgres(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await runMigrations(client, this.schema);
      // Concurrent CREATE TABLE IF NOT EXISTS can still collide; one starter at a time.
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${this.schema}.rate_limits`]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${this.schema}".rate_limits (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
      );
      for (const statement of sendPaceSql(this.schema)) await client.query(statement);
      await client.query('COMMIT');
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
