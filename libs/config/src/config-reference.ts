import { z } from 'zod';
import { ENV_SCHEMA } from './config';

type Variable = keyof z.input<typeof ENV_SCHEMA>;

interface VariableDoc {
  /** What the variable does, in a sentence or two (Markdown). */
  meaning: string;
  /** How the default reads when it is not a plain value of the schema (unset, derived, a unit). */
  shownDefault?: string;
}

/**
 * What each configuration variable means. `docs/configuration.md` is generated from ENV_SCHEMA and
 * this record (`npm run docs:config`); the type makes a variable without an entry a compile error,
 * and config-reference.spec.ts checks the doc and `.env.example` against the schema.
 */
export const VARIABLE_DOCS: Record<Variable, VariableDoc> = {
  NODE_ENV: { meaning: '`development`, `production` or `test`.' },
  DATABASE_URL: { meaning: 'PostgreSQL holding all data; `npm start` creates the database if missing.' },
  QUEUE_BACKEND: {
    meaning:
      "Where the job queues and the subscribe rate limits live: `redis`, or `postgres` (BullMQ's PostgreSQL backend, schema `bullmq_<QUEUE_PREFIX>` in `DATABASE_URL`'s database, created and migrated at start). `npm start`/`npm test` also choose `redis` when a Redis answers on 127.0.0.1:6379.",
    shownDefault: '`redis` when `REDIS_URL` or `REDIS_CLUSTER_NODES` is set, else `postgres`',
  },
  REDIS_URL: { meaning: 'One Redis for the queues (`redis://` or `rediss://`).', shownDefault: '`redis://127.0.0.1:6379`' },
  REDIS_CLUSTER_NODES: {
    meaning:
      'A Redis Cluster instead: comma-separated seed nodes, `host:port` or `redis[s]://[user:password@]host:port` (credentials and TLS from the first URL that has them), e.g. `10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379`; not together with `REDIS_URL`.',
  },
  SMTP_URL: {
    meaning:
      'SMTP server emails go through (`smtp://` or `smtps://`, credentials as `user:password@`); unset under `npm start`/`npm test`: the MailDev they start.',
  },
  MAIL_FROM: { meaning: 'Sender of every email.' },
  PUBLIC_BASE_URL: {
    meaning: 'Public address of the site, used for links in emails (confirm, unsubscribe, manage); when unset, `npm start` derives it from `PORT`.',
  },
  LINK_SECRET: {
    meaning:
      'Secret of at least 32 characters that signs the unsubscribe and manage links in emails; required when `NODE_ENV=production`; changing it invalidates links already sent (`openssl rand -base64 48`).',
    shownDefault: 'none (a published development secret, with a warning)',
  },
  ADMIN_API_KEY: { meaning: 'Bootstrap admin API key, at least 24 characters; `npm start` generates one per run when unset.' },
  PORT: { meaning: 'HTTP port of the API and the pages.' },
  BODY_LIMIT: { meaning: 'Largest request body accepted (`100kb`, `1mb`, …); larger answers `413`.' },
  QUEUE_PREFIX: {
    meaning:
      "Prefix of every queue key in Redis (hash-tagged, `{pw}`, so a cluster keeps each queue in one slot); on PostgreSQL, the schema's suffix.",
  },
  CHECK_CRON: { meaning: 'Cron schedule (5 or 6 fields, UTC) of the status check.' },
  DIGEST_CRON: { meaning: 'Cron schedule of the digest run; each subscriber still gets one digest a week, on their own weekday and hour.' },
  HEALTH_WARNING_DAYS: { meaning: 'A milestone due within this many days and still `not_started` makes its workstream `at_risk` ([health.md](health.md)).' },
  HEALTH_GRACE_DAYS: {
    meaning: 'A milestone overdue up to this many days is `at_risk`; beyond it, `off_track` if its date was announced (`sourced`/`planned`), still `at_risk` if it was assumed.',
  },
  HEALTH_STALL_DAYS: {
    meaning:
      'With nothing scheduled ahead, no progress for this many days is `stalled` when a review inside the window found none; `unknown` when nobody has looked (docs/health.md).',
  },
  HEALTH_REVIEW_DAYS: {
    meaning: 'A workstream not reviewed within this many days is "review due": its pages say so and `GET /v1/admin/reviews/due` lists it.',
  },
  LINK_TTL_DAYS: {
    meaning: 'Days a manage or unsubscribe link in an email works; every email carries fresh ones, and `POST /v1/admin/subscribers/{id}/revoke-links` revokes a subscriber\'s links at once (docs/security.md).',
  },
  QUEUE_DASHBOARD: {
    meaning: 'The queue dashboard at `/admin/queues`: `read-only`, or `full` (retry and remove jobs; a write must come from `PUBLIC_BASE_URL`\'s origin). See docs/security.md.',
  },
  TRUST_PROXY: {
    meaning:
      "Which proxies may name the client in `X-Forwarded-For` (Express 'trust proxy'; the subscribe rate limits count per client address): a hop count, `false`, or addresses/CIDRs and the names `loopback`, `linklocal`, `uniquelocal`, comma-separated (docs/security.md).",
  },
  PRIVACY_CRON: {
    meaning: 'Cron expression (UTC) of the erasure of never-confirmed (after 7 days) and unsubscribed (after 30 days) addresses (docs/privacy.md).',
  },
  DELIVERY_STUCK_AFTER_SECONDS: {
    meaning:
      "A delivery still `queued` this long with no live send job (the queue lost it, a worker died) is re-enqueued by the worker's reconciler (every 30 s); its `sent` status keeps it from going out twice.",
  },
  SCHEDULES_ENABLED: {
    meaning:
      "Run the worker's crons (`CHECK_CRON`, `DIGEST_CRON`); the tests and benchmarks set `false` and drive slots themselves. The reconciler and the outbox relay run either way.",
  },
  DATABASE_POOL_SIZE: {
    meaning:
      'PostgreSQL connections per process (pg pool `max`); must be at least `CONCURRENCY_EVENTS_FANOUT + CONCURRENCY_STATUS_CHECK + CONCURRENCY_DIGEST_RUN + 2` (checked at start). `email.send` batches its reads and writes, so its jobs fit in the rest.',
  },
  CONCURRENCY_EMAIL_SEND: {
    meaning: '`email` queue jobs one worker runs at once, a batch counting as one (they wait on SMTP and PostgreSQL, not the CPU; tuned with `bench:fanout`).',
  },
  EMAIL_SEND_BATCH_SIZE: {
    meaning:
      'Deliveries per `email.sendBatch` job when a fan-out or a digest run enqueues many (1: a job each). Fewer jobs is what lifts the PostgreSQL queue backend. Under `MAIL_RATE_PER_SECOND` batches are off: the rate, not the queue, is then the bottleneck.',
  },
  PUBLIC_CACHE_ENTRIES: {
    meaning: 'Public API answers (`/v1/workstreams`, `/v1/events`, reference lists) each API process keeps until the data changes; `0`: none, and no listening connection.',
  },
  CONCURRENCY_EVENTS_FANOUT: { meaning: '`events.fanout` jobs one worker runs at once.' },
  CONCURRENCY_STATUS_CHECK: { meaning: '`status.check` jobs one worker runs at once.' },
  CONCURRENCY_DIGEST_RUN: { meaning: '`digest.run` jobs one worker runs at once.' },
  CONCURRENCY_WEBHOOK_SEND: { meaning: '`webhook.send` jobs one worker runs at once.' },
  WEBHOOK_BACKOFF_MS: { meaning: "Delay before a failed webhook's first retry; each next one doubles." },
  WEBHOOK_RETRY_SPAN: {
    meaning: 'How long a failing webhook delivery is retried (`30s`, `90m`, `24h`, `7d`; 1 s to 30 d); an endpoint failing that long is disabled.',
    shownDefault: '`24h`',
  },
  WEBHOOK_TIMEOUT_MS: { meaning: 'One webhook POST, connection to answer.' },
  MAIL_RATE_PER_SECOND: {
    meaning:
      "The most messages a second **all workers together** send: your mail provider's quota (decimals allowed, e.g. `0.5`). See [operations.md](operations.md#sending-within-a-providers-quota).",
    shownDefault: 'unlimited',
  },
  SUBSCRIBE_LIMIT_PER_IP: {
    meaning: 'Subscribe requests per client address per window (`<count>/<seconds>`); beyond it `429` with `Retry-After`.',
    shownDefault: '`5/60`',
  },
  SUBSCRIBE_LIMIT_PER_ADDRESS: { meaning: 'Subscribe requests per email address per window.', shownDefault: '`3/3600`' },
  LOG_LEVEL: { meaning: '`error`, `warn`, `log`, `debug` or `verbose`.' },
  LOG_PRETTY: {
    meaning: '`true`: human-readable lines (pino-pretty); `false`: one JSON object per line.',
    shownDefault: 'when stdout is a terminal',
  },
  METRICS_PORT: {
    meaning:
      "The worker's HTTP port for `/metrics`, `/health/live` and `/health/ready` (the API serves them on `PORT`); `0`: none. Two workers on one host need one each; `npm start` picks a free one when the default is taken.",
  },
  METRICS_TOKEN: { meaning: 'When set (16+ characters), `/metrics` of the API and the worker answer only `Authorization: Bearer <METRICS_TOKEN>`.' },
  SHUTDOWN_TIMEOUT_SECONDS: { meaning: 'On SIGTERM: how long the API gives requests in flight and the worker its active jobs.' },
};

/** The schema's own default for a variable, as it reads in the doc; undefined when it has none. */
function schemaDefault(name: Variable): string | undefined {
  const parsed = ENV_SCHEMA.shape[name].safeParse(undefined);
  if (!parsed.success || parsed.data === undefined || typeof parsed.data === 'object') return undefined;
  return `\`${String(parsed.data)}\``;
}

/** docs/configuration.md, every variable of ENV_SCHEMA in its order. */
export function configurationReference(): string {
  const rows = (Object.keys(ENV_SCHEMA.shape) as Variable[]).map((name) => {
    const doc = VARIABLE_DOCS[name];
    const shown = doc.shownDefault ?? schemaDefault(name) ?? 'none';
    return `| \`${name}\` | ${shown} | ${doc.meaning.replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Configuration',
    '',
    '<!-- Generated from libs/config/src/config.ts and config-reference.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'Environment variables, validated when the API or the worker starts: a bad value stops it with a',
    'message naming the variable. Every variable is optional. `.env.example` lists them all; copy it to',
    '`.env` to set them for `npm start`, `npm test`, `npm run cli` and the `db:*` scripts (variables',
    'already in the environment win over `.env`).',
    '',
    '| Variable | Default | Meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
