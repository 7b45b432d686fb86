import { z } from 'zod';
import { isIP } from 'node:net';

/** Nest's log levels, most to least severe; LOG_LEVEL keeps its own and every more severe one. */
const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL (${protocols.join(', ')})`);

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `5/60` = at most 5 per 60 seconds. */
const RATE = z
  .string()
  .regex(/^\d+\/\d+$/, 'must be <count>/<seconds>, e.g. 5/60')
  .transform((value) => {
    const [limit, windowSeconds] = value.split('/').map(Number);
    return { limit, windowSeconds };
  })
  .refine(({ limit, windowSeconds }) => limit >= 1 && windowSeconds >= 1 && windowSeconds <= 86_400, 'count ≥ 1 and 1 ≤ seconds ≤ 86400');

const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `24h`, `90m`, `30s`, `500ms`, `7d` → milliseconds. */
const DURATION = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'must be a number and a unit (ms, s, m, h or d), e.g. 24h')
  .transform((value) => {
    const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(value)!;
    return Number(amount) * DURATION_UNITS[unit as keyof typeof DURATION_UNITS];
  });

const BOOL = z.enum(['true', 'false']).transform((value) => value === 'true');

const CRON = z
  .string()
  .regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression with 5 or 6 fields');

/** Every variable the service reads, with its default. `.env.example` lists the same set. */
export const ENV_SCHEMA = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: url(['postgres', 'postgresql']).default('postgresql://postgres@127.0.0.1:5432/pledgewatch'),
  REDIS_URL: url(['redis', 'rediss']).optional(),
  REDIS_CLUSTER_NODES: z.string().optional(),
  QUEUE_BACKEND: z.enum(['redis', 'postgres']).optional(),
  SMTP_URL: url(['smtp', 'smtps']).default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().regex(/^[^\r\n]+@[^\r\n]+$/, 'must be an address, e.g. "Pledgewatch <alerts@example.org>"').default('Pledgewatch <alerts@pledgewatch.local>'),
  PUBLIC_BASE_URL: url(['http', 'https']).default('http://localhost:3000'),
  ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  PORT: int(1, 65535).default(3000),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb or 1mb').default('1mb'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/, 'letters, digits, ":", "_" or "-"').default('pw'),
  CHECK_CRON: CRON.default('0 * * * *'),
  DIGEST_CRON: CRON.default('5 * * * *'),
  /** When the erasure of expired personal data runs (docs/privacy.md): hourly by default. */
  PRIVACY_CRON: CRON.default('35 * * * *'),
  HEALTH_WARNING_DAYS: int(0, 3650).default(14),
  HEALTH_GRACE_DAYS: int(0, 3650).default(7),
  HEALTH_STALL_DAYS: int(1, 3650).default(180),
  HEALTH_REVIEW_DAYS: int(1, 3650).default(90),
  DELIVERY_STUCK_AFTER_SECONDS: int(1, 86_400).default(120),
  SCHEDULES_ENABLED: BOOL.default(true),
  DATABASE_POOL_SIZE: int(1, 1_000).default(20),
  CONCURRENCY_EMAIL_SEND: int(1, 1_000).default(50),
  EMAIL_SEND_BATCH_SIZE: int(1, 500).default(20),
  PUBLIC_CACHE_ENTRIES: int(0, 100_000).default(1_000),
  CONCURRENCY_EVENTS_FANOUT: int(1, 100).default(8),
  CONCURRENCY_STATUS_CHECK: int(1, 10).default(1),
  CONCURRENCY_DIGEST_RUN: int(1, 10).default(1),
  CONCURRENCY_WEBHOOK_SEND: int(1, 1_000).default(10),
  WEBHOOK_BACKOFF_MS: int(1, 86_400_000).default(60_000),
  WEBHOOK_RETRY_SPAN: DURATION.default(24 * 3_600_000).refine((ms) => ms >= 1_000 && ms <= 30 * 86_400_000, 'between 1s and 30d'),
  WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(10_000),
  /** Unset: no limit (and no limiter round trip per send). Decimals allowed: 0.5 = one message every 2 s. */
  MAIL_RATE_PER_SECOND: z.coerce.number().positive('must be a positive number of messages per second').max(100_000).optional(),
  SUBSCRIBE_LIMIT_PER_IP: RATE.default({ limit: 5, windowSeconds: 60 }),
  SUBSCRIBE_LIMIT_PER_ADDRESS: RATE.default({ limit: 3, windowSeconds: 3_600 }),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('log'),
  /** Human-readable log lines instead of JSON; default: when stdout is a terminal. */
  LOG_PRETTY: z.enum(['true', 'false']).optional(),
  METRICS_PORT: int(0, 65535).default(9464),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SHUTDOWN_TIMEOUT_SECONDS: int(1, 3600).default(30),
  LINK_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (signs the unsubscribe and manage links in emails); e.g. `openssl rand -base64 48`')
    .optional(),
  /** Days a manage or unsubscribe link in an email works; every email carries fresh ones. */
  LINK_TTL_DAYS: int(1, 3650).default(90),
  /** The queue dashboard at /admin/queues: `read-only` (default) or `full` (retry, remove, add jobs; Origin-checked). */
  QUEUE_DASHBOARD: z.enum(['read-only', 'full']).default('read-only'),
  /**
   * Which proxies in front of the API may set X-Forwarded-For (Express's `trust proxy`): a hop
   * count (`1`), `false`, or addresses and CIDRs (`10.0.0.0/8, 192.0.2.7`) and the names
   * `loopback`, `linklocal`, `uniquelocal`, comma-separated.
   */
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform((value, ctx) => {
      const parsed = parseTrustProxy(value);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
});

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as Express's `trust proxy` setting takes it: a hop count, false, or a list of
 * addresses, CIDRs and names; a message when it is none of these. `true` (trust every hop) is
 * refused: any client could then choose its own address, and with it the rate limiter's bucket.
 */
export function parseTrustProxy(value: string): number | false | string[] | string {
  const trimmed = value.trim();
  if (trimmed === 'false') return false;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) <= 10 ? Number(trimmed) : 'a hop count is at most 10';
  const entries = trimmed.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (!entries.length) return 'must be a hop count, false, or addresses/CIDRs/loopback/linklocal/uniquelocal, comma-separated';
  for (const entry of entries) {
    if (TRUST_PROXY_NAMES.has(entry)) continue;
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      return `"${entry}" is not an address, a CIDR, loopback, linklocal or uniquelocal (true is refused: every client could pick its own address)`;
    }
  }
  return entries;
}

/**
 * Signs unsubscribe/manage links when LINK_SECRET is unset outside production. Links signed with it
 * are forgeable by anyone who reads this file, hence the boot warning (`linkSecretIsDevDefault`).
 */
export const DEV_LINK_SECRET = 'pledgewatch-development-link-secret-do-not-use-in-production';

export type Env = z.infer<typeof ENV_SCHEMA>;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export type QueueBackendName = 'redis' | 'postgres';

/** One Redis Cluster seed node; credentials and TLS apply to every node. */
export interface RedisClusterNode {
  host: string;
  port: number;
}

export interface RedisClusterConfig {
  nodes: RedisClusterNode[];
  username?: string;
  password?: string;
  tls: boolean;
}

/**
 * REDIS_CLUSTER_NODES: comma-separated seed nodes, each `host:port` or a `redis://`/`rediss://` URL
 * (credentials and TLS are read from the first URL that has them). Answers the parsed list or the
 * problem with it.
 */
export function parseRedisClusterNodes(value: string): RedisClusterConfig | string {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) return 'must list at least one node, e.g. 10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379';
  const cluster: RedisClusterConfig = { nodes: [], tls: false };
  for (const item of items) {
    let parsed: URL;
    try {
      parsed = new URL(/^[a-z]+:\/\//i.test(item) ? item : `redis://${item}`);
    } catch {
      return `"${item}" is not host:port or a redis:// URL`;
    }
    if (!['redis:', 'rediss:'].includes(parsed.protocol)) return `"${item}": only redis:// or rediss://`;
    if (!parsed.hostname || !parsed.port) return `"${item}" needs a host and a port (host:port)`;
    if (parsed.pathname.length > 1) return `"${item}": a cluster has no database number (only db 0)`;
    cluster.nodes.push({ host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port) });
    if (parsed.protocol === 'rediss:') cluster.tls = true;
    if (parsed.username && cluster.username === undefined) cluster.username = decodeURIComponent(parsed.username);
    if (parsed.password && cluster.password === undefined) cluster.password = decodeURIComponent(parsed.password);
  }
  return cluster;
}

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** How many jobs of each name one worker process runs at once (one queue per job name). */
export interface JobConcurrency {
  'email.send': number;
  'email.sendBatch': number;
  'events.fanout': number;
  'status.check': number;
  'digest.run': number;
  'webhook.send': number;
  'privacy.erase': number;
}

/**
 * Connections the jobs other than email.send may hold at once, plus two for the relay and the
 * reconciler: email.send batches its reads and writes (a few statements per 100 sends), the others
 * hold one connection per running job.
 */
export const poolNeed = (c: JobConcurrency): number => c['events.fanout'] + c['status.check'] + c['digest.run'] + 2;

export interface HealthWindows {
  warningDays: number;
  graceDays: number;
  stallDays: number;
}

export interface WebhookSettings {
  /** WEBHOOK_BACKOFF_MS: the first retry's delay; each next one doubles it. */
  backoffMs: number;
  /** WEBHOOK_RETRY_SPAN: how long a failing delivery is retried; an endpoint failing that long is disabled. */
  retrySpanMs: number;
  /** WEBHOOK_TIMEOUT_MS: one POST, connection to last byte. */
  timeoutMs: number;
}

/** One validated, typed configuration object; injected by class. */
export class AppConfig {
  readonly env!: Env['NODE_ENV'];
  readonly databaseUrl!: string;
  /**
   * Where the job queues (and the subscribe rate limits) live: `redis` (REDIS_URL, or a Redis
   * Cluster from REDIS_CLUSTER_NODES) or `postgres` (BullMQ's PostgreSQL backend, in a schema of
   * its own in DATABASE_URL's database).
   */
  readonly queueBackend!: QueueBackendName;
  readonly redisUrl!: string;
  /** Set when REDIS_CLUSTER_NODES is: the Redis backend then connects to a cluster. */
  readonly redisCluster!: RedisClusterConfig | null;
  readonly smtpUrl!: string;
  readonly mailFrom!: string;
  readonly publicBaseUrl!: string;
  readonly adminApiKey?: string;
  readonly port!: number;
  readonly bodyLimit!: string;
  readonly queuePrefix!: string;
  readonly checkCron!: string;
  readonly digestCron!: string;
  /** PRIVACY_CRON: enqueues the hourly erasure of never-confirmed and long-unsubscribed subscribers. */
  readonly privacyCron!: string;
  readonly healthWindows!: HealthWindows;
  /** A workstream not reviewed within this many days is review due (HEALTH_REVIEW_DAYS). */
  readonly healthReviewDays!: number;
  /** A delivery `queued` this long with no live send job is re-enqueued by the reconciler. */
  readonly deliveryStuckAfterSeconds!: number;
  /** Run the cron schedules (status check, digest). Tests turn them off: SCHEDULES_ENABLED=false. */
  readonly schedulesEnabled!: boolean;
  /** Connections in each process's PostgreSQL pool (pg's `max`). */
  readonly databasePoolSize!: number;
  readonly jobConcurrency!: JobConcurrency;
  /** Webhook deliveries: retry delays (exponential from backoffMs, until retrySpanMs) and the request timeout. */
  readonly webhooks!: WebhookSettings;
  /**
   * Where outgoing requests (webhooks, evidence capture, sources) may connect: the one outbound
   * guard (@pledgewatch/outbound). Loopback and plain http only outside production, for local servers.
   */
  readonly outbound!: { allowLoopback: boolean };
  /**
   * The most messages a second that every worker together sends (MAIL_RATE_PER_SECOND), enforced
   * on each send through a pacer in the queues' store; null: unlimited.
   */
  readonly mailRatePerSecond!: number | null;
  /**
   * Deliveries per `email.sendBatch` job when a fan-out or a digest run enqueues many
   * (EMAIL_SEND_BATCH_SIZE): fewer jobs for the queue to move, which is what caps the PostgreSQL
   * backend. 1 under MAIL_RATE_PER_SECOND: the rate, not the queue, is then the bottleneck, and a
   * batch would only hold messages in a worker's hands while they wait for their turn.
   */
  readonly emailSendBatchSize!: number;
  /** Public API answers each API process keeps until the data changes (PUBLIC_CACHE_ENTRIES); 0: none. */
  readonly publicCacheEntries!: number;
  /** Subscribing sends an email to an address the caller merely claims: limited per client and per address. */
  readonly subscribeLimits!: { perIp: RateLimit; perAddress: RateLimit };
  readonly logLevel!: Env['LOG_LEVEL'];
  /** pino-pretty instead of JSON lines (LOG_PRETTY; default when stdout is a terminal). */
  readonly logPretty!: boolean;
  /** The worker's own HTTP port for /metrics and /health/*; 0: none. */
  readonly metricsPort!: number;
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  readonly metricsToken?: string;
  /** SIGTERM: how long in-flight requests (API) or active jobs (worker) get to finish. */
  readonly shutdownTimeoutMs!: number;
  /** What Nest's `logger` option takes for LOG_LEVEL: that level and every more severe one. */
  get logLevels(): Env['LOG_LEVEL'][] {
    return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(this.logLevel) + 1);
  }
  /** HMAC key of the stateless unsubscribe and manage links. */
  readonly linkSecret!: string;
  /** True when LINK_SECRET was unset (development/test): warn at boot. */
  readonly linkSecretIsDevDefault!: boolean;
  /** How long a manage or unsubscribe link works (LINK_TTL_DAYS), in days. */
  readonly linkTtlDays!: number;
  /** `full` lets the queue dashboard change jobs (same-origin requests only); `read-only` otherwise. */
  readonly queueDashboard!: Env['QUEUE_DASHBOARD'];
  /** Express's `trust proxy` (TRUST_PROXY): who may say, in X-Forwarded-For, which client is calling. */
  readonly trustProxy!: number | false | string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = ENV_SCHEMA.safeParse(present);
  // Production must not sign links with the published development secret.
  const linkSecretMissing =
    present.NODE_ENV === 'production' && !present.LINK_SECRET
      ? ['LINK_SECRET: required when NODE_ENV=production (at least 32 random characters, e.g. `openssl rand -base64 48`)']
      : [];
  const queueProblems: string[] = [];
  let redisCluster: RedisClusterConfig | null = null;
  if (present.REDIS_CLUSTER_NODES) {
    const cluster = parseRedisClusterNodes(present.REDIS_CLUSTER_NODES);
    if (typeof cluster === 'string') queueProblems.push(`REDIS_CLUSTER_NODES: ${cluster}`);
    else redisCluster = cluster;
    if (present.REDIS_URL) queueProblems.push('REDIS_CLUSTER_NODES: set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a cluster), not both');
  }
  const jobConcurrency: JobConcurrency | null = parsed.success
    ? {
        'email.send': parsed.data.CONCURRENCY_EMAIL_SEND,
        // The same queue, so the same workers: CONCURRENCY_EMAIL_SEND counts a batch as one job.
        'email.sendBatch': parsed.data.CONCURRENCY_EMAIL_SEND,
        'events.fanout': parsed.data.CONCURRENCY_EVENTS_FANOUT,
        'status.check': parsed.data.CONCURRENCY_STATUS_CHECK,
        'digest.run': parsed.data.CONCURRENCY_DIGEST_RUN,
        'webhook.send': parsed.data.CONCURRENCY_WEBHOOK_SEND,
        // One statement batch at a time, once an hour: never worth a setting (nor a place in poolNeed).
        'privacy.erase': 1,
      }
    : null;
  const poolTooSmall =
    parsed.success && jobConcurrency && parsed.data.DATABASE_POOL_SIZE < poolNeed(jobConcurrency)
      ? [`DATABASE_POOL_SIZE: ${parsed.data.DATABASE_POOL_SIZE} is fewer than the ${poolNeed(jobConcurrency)} connections the job concurrency needs (CONCURRENCY_EVENTS_FANOUT + CONCURRENCY_STATUS_CHECK + CONCURRENCY_DIGEST_RUN + 2)`]
      : [];
  if (!parsed.success || linkSecretMissing.length || poolTooSmall.length || queueProblems.length) {
    const issues = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError([...issues, ...linkSecretMissing, ...poolTooSmall, ...queueProblems]);
  }
  const env = parsed.data;
  return Object.assign(new AppConfig(), {
    env: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    // Without QUEUE_BACKEND: Redis when one is named, else PostgreSQL. (`npm start` / `npm test`
    // also look for a Redis on 127.0.0.1:6379 and set REDIS_URL when one answers: scripts/services.ts.)
    queueBackend: env.QUEUE_BACKEND ?? (env.REDIS_URL || redisCluster ? 'redis' : 'postgres'),
    redisUrl: env.REDIS_URL ?? DEFAULT_REDIS_URL,
    redisCluster,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    adminApiKey: env.ADMIN_API_KEY,
    port: env.PORT,
    bodyLimit: env.BODY_LIMIT,
    queuePrefix: env.QUEUE_PREFIX,
    checkCron: env.CHECK_CRON,
    digestCron: env.DIGEST_CRON,
    privacyCron: env.PRIVACY_CRON,
    healthWindows: {
      warningDays: env.HEALTH_WARNING_DAYS,
      graceDays: env.HEALTH_GRACE_DAYS,
      stallDays: env.HEALTH_STALL_DAYS,
    },
    healthReviewDays: env.HEALTH_REVIEW_DAYS,
    deliveryStuckAfterSeconds: env.DELIVERY_STUCK_AFTER_SECONDS,
    schedulesEnabled: env.SCHEDULES_ENABLED,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    jobConcurrency: jobConcurrency!,
    webhooks: {
      backoffMs: env.WEBHOOK_BACKOFF_MS,
      retrySpanMs: env.WEBHOOK_RETRY_SPAN,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    },
    outbound: { allowLoopback: env.NODE_ENV !== 'production' },
    mailRatePerSecond: env.MAIL_RATE_PER_SECOND ?? null,
    emailSendBatchSize: env.MAIL_RATE_PER_SECOND === undefined ? env.EMAIL_SEND_BATCH_SIZE : 1,
    publicCacheEntries: env.PUBLIC_CACHE_ENTRIES,
    subscribeLimits: { perIp: env.SUBSCRIBE_LIMIT_PER_IP, perAddress: env.SUBSCRIBE_LIMIT_PER_ADDRESS },
    logLevel: env.LOG_LEVEL,
    logPretty: env.LOG_PRETTY ? env.LOG_PRETTY === 'true' : Boolean(process.stdout.isTTY),
    metricsPort: env.METRICS_PORT,
    metricsToken: env.METRICS_TOKEN,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    linkSecret: env.LINK_SECRET ?? DEV_LINK_SECRET,
    linkSecretIsDevDefault: !env.LINK_SECRET,
    linkTtlDays: env.LINK_TTL_DAYS,
    queueDashboard: env.QUEUE_DASHBOARD,
    trustProxy: env.TRUST_PROXY,
  });
}
