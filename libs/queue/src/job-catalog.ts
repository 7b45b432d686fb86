import type { JobsOptions } from 'bullmq';

/**
 * Every queue, job name, payload and job option in one place, so producers and workers cannot disagree.
 *
 * Queue and job names are a stored format: jobs already in Redis carry them, so renaming one
 * strands those jobs. Add new names; retire old ones only after their queues have drained.
 */
export const QUEUES = {
  /** The scheduled status check: one job per time slot. */
  status: 'status',
  /** Outbox fan-out: one job per event. */
  events: 'events',
  /** Outgoing email: a job per delivery row, or per batch of a fan-out's or a digest run's rows. */
  email: 'email',
  /** Weekly digests: one job per hourly slot. */
  digest: 'digest',
  /** Outgoing webhooks: one job per `webhook` delivery row. */
  webhook: 'webhook',
  /** Erasing personal data past its keeping time (docs/privacy.md): one job per hourly slot. */
  privacy: 'privacy',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  statusCheck: 'status.check',
  eventsFanout: 'events.fanout',
  emailSend: 'email.send',
  emailSendBatch: 'email.sendBatch',
  digestRun: 'digest.run',
  webhookSend: 'webhook.send',
  privacyErase: 'privacy.erase',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** `status.check`: evaluate every open workstream as of `asOf`, once per `slot`. */
export interface StatusCheckPayload {
  /** The scheduler's time slot, e.g. `2026-11-28T07:00Z`; also the job id's suffix and StatusCheckRun.slot. */
  slot: string;
  /** ISO 8601 instant the check evaluates as of: the slot's start. */
  asOf: string;
  /** Who asked: the cron (default) or an editor (POST /v1/admin/checks, slot `admin-…`). */
  trigger?: 'schedule' | 'admin';
}

/** `events.fanout`: match one event against subscriptions. Carries the id only; the processor reloads it. */
export interface EventFanoutPayload {
  eventId: string;
}

/** `email.send`: send one delivery. Carries the id only; the processor reloads the row and its subscriber. */
export interface EmailSendPayload {
  deliveryId: string;
}

/**
 * `email.sendBatch`: the first try of many deliveries of one kind, in one job (DeliveryQueue: a
 * fan-out's or a digest run's rows, EMAIL_SEND_BATCH_SIZE at a time). Each row names the batch as
 * its carrier (Delivery.sendJobId); a delivery whose try fails leaves the batch for an `email.send`
 * job of its own, which retries it with the catalog's backoff.
 */
export interface EmailSendBatchPayload {
  deliveryIds: string[];
}

/** `digest.run`: create and enqueue the digests due in one hourly slot (and catch up the day before it). */
export interface DigestRunPayload {
  /** The slot: the start of a UTC hour, ISO 8601 (`2026-11-29T23:00:00.000Z`). */
  slot: string;
}

/** `webhook.send`: POST one webhook delivery. Carries the id only; the processor reloads the row and its endpoint. */
export interface WebhookSendPayload {
  deliveryId: string;
}

/** `privacy.erase`: erase the subscribers kept past their time (never confirmed: 7 days; unsubscribed: 30), as of the slot. */
export interface PrivacyErasePayload {
  /** The slot: the start of a UTC hour, ISO 8601. */
  slot: string;
}

/**
 * BullMQ priorities of `email.send` jobs by delivery kind (1 goes first): when the send rate is
 * the bottleneck, a confirmation someone is waiting for overtakes a fan-out's alerts, and alerts
 * overtake the weekly digests. A kind not listed goes with alerts.
 */
export const EMAIL_PRIORITY: Readonly<Record<string, number>> = { confirmation: 1, alert: 2, digest: 3 };
export const emailPriority = (kind: string): number => EMAIL_PRIORITY[kind] ?? EMAIL_PRIORITY.alert;

export interface JobPayloads {
  'status.check': StatusCheckPayload;
  'events.fanout': EventFanoutPayload;
  'email.send': EmailSendPayload;
  'email.sendBatch': EmailSendBatchPayload;
  'digest.run': DigestRunPayload;
  'webhook.send': WebhookSendPayload;
  'privacy.erase': PrivacyErasePayload;
}
export type JobPayload<N extends JobName> = JobPayloads[N];

interface JobDefinition {
  queue: QueueName;
  /** Defaults for every job of this name; a caller adds its deterministic jobId. */
  options: JobsOptions;
}

const HOUR = 3600;
/** The name of the custom backoff strategy of `webhook.send` (see webhookRetryDelay). */
export const WEBHOOK_BACKOFF = 'webhook';
const DAY = 24 * HOUR;

/**
 * Retention matters beyond tidiness: a queue de-duplicates by job id only while the earlier job
 * still exists (job ids are idempotency keys), so completed jobs are kept for longer than any replica could race
 * for the same slot or the outbox relay could re-dispatch the same event.
 */
export const JOB_CATALOG: Record<JobName, JobDefinition> = {
  'status.check': {
    queue: QUEUES.status,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { age: 7 * DAY, count: 1_000 },
      removeOnFail: { age: 30 * DAY },
    },
  },
  'events.fanout': {
    queue: QUEUES.events,
    options: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: { age: DAY, count: 100_000 },
      removeOnFail: { age: 7 * DAY },
    },
  },
  // Transient SMTP failures (4xx, connection refused) retry at 30 s, 1, 2, 4, 8 min; permanent ones
  // throw UnrecoverableError and fail at once. The delivery row, not the job, is the record and the
  // guard against a second send, so few finished jobs are kept: a fan-out of 100,000 must not leave
  // 100,000 jobs in Redis.
  'email.send': {
    queue: QUEUES.email,
    options: {
      attempts: 6,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { age: HOUR, count: 10_000 },
      removeOnFail: { age: 30 * DAY },
    },
  },
  // A batch's own failure (its rows could not be loaded or handed on) retries the whole batch: rows
  // already sent are skipped, rows handed to their own job are no longer its to send.
  'email.sendBatch': {
    queue: QUEUES.email,
    options: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: { age: HOUR, count: 1_000 },
      removeOnFail: { age: 30 * DAY },
    },
  },
  // Kept two days: replicas' crons enqueue the same slot id, and a finished slot must stay a no-op.
  // A failed run retries; the next slot's run covers the day before it anyway (catch-up).
  'digest.run': {
    queue: QUEUES.digest,
    options: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { age: 2 * DAY, count: 1_000 },
      removeOnFail: { age: 30 * DAY },
    },
  },
  // Retried until WEBHOOK_RETRY_SPAN has passed, not a number of times: the delays come from
  // webhookRetryDelay (the `webhook` backoff strategy the workers carry), and the processor fails
  // the job for good once the span is over. `attempts` is only a ceiling it never reaches.
  'webhook.send': {
    queue: QUEUES.webhook,
    options: {
      attempts: 10_000,
      backoff: { type: WEBHOOK_BACKOFF },
      removeOnComplete: { age: HOUR, count: 10_000 },
      removeOnFail: { age: 30 * DAY },
    },
  },
  // Kept two days, like digest.run: replicas' crons enqueue the same slot id. A missed slot is no
  // loss: each run erases everything past its time, not only what expired in its hour.
  'privacy.erase': {
    queue: QUEUES.privacy,
    options: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 60_000 },
      removeOnComplete: { age: 2 * DAY, count: 1_000 },
      removeOnFail: { age: 30 * DAY },
    },
  },
};

export const JOB_NAMES = Object.keys(JOB_CATALOG) as JobName[];
export const QUEUE_NAMES = Object.values(QUEUES) as QueueName[];

export const queueOf = (job: JobName): QueueName => JOB_CATALOG[job].queue;

/**
 * Redis-Cluster-safe key prefix: the hash tag `{…}` puts every key of every queue in one slot,
 * which BullMQ's multi-key Lua scripts require.
 */
export const queueKeyPrefix = (queuePrefix: string): string => `{${queuePrefix}}`;

/**
 * Slot granularity follows the cron expression: minutes for 5 fields, seconds for 6. The slot is
 * the tick truncated to that granularity, so replicas whose timers fire a few ms apart agree.
 */
export function checkSlot(firedAt: Date, withSeconds: boolean): { slot: string; asOf: Date } {
  const unit = withSeconds ? 1_000 : 60_000;
  const asOf = new Date(Math.floor(firedAt.getTime() / unit) * unit);
  const iso = asOf.toISOString();
  return { slot: withSeconds ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 16)}Z`, asOf };
}

/**
 * `check-2026-11-28T0700Z`: BullMQ rejects custom ids containing ":" (outside its own legacy
 * format), so the slot's time is written in ISO 8601 basic form.
 */
export const checkJobId = (slot: string): string => `check-${slot.replace(/:/g, '')}`;

/** The fan-out job of an event is the event id itself: enqueueing it twice is a no-op. */
export const fanoutJobId = (eventId: string): string => eventId;

/** `digest-2026-11-29T2300Z`: one `digest.run` per hourly slot (no ":" in custom BullMQ ids). */
export const digestJobId = (slot: Date): string => `digest-${slot.toISOString().slice(0, 16).replace(/:/g, '')}Z`;

/** `privacy-2026-12-07T2100Z`: one `privacy.erase` per hourly slot. */
export const privacyJobId = (slot: Date): string => `privacy-${slot.toISOString().slice(0, 16).replace(/:/g, '')}Z`;

/** How webhooks retry (WEBHOOK_BACKOFF_MS, WEBHOOK_RETRY_SPAN). */
export interface WebhookRetryPolicy {
  /** The first retry's delay; each next one doubles it. */
  backoffMs: number;
  /** How long after its first attempt a delivery is still retried. */
  retrySpanMs: number;
}

/**
 * The delay before the next try of a webhook delivery whose `failedAttempts` tries (≥ 1) have
 * failed, `elapsedMs` after its first: exponential (backoff, 2×, 4×, …), the last one shortened so
 * that the final try falls exactly at the end of the span. Null once the span is over: no retry.
 */
export function webhookRetryDelay(failedAttempts: number, elapsedMs: number, policy: WebhookRetryPolicy): number | null {
  const remaining = policy.retrySpanMs - elapsedMs;
  if (remaining <= 0) return null;
  return Math.min(policy.backoffMs * 2 ** Math.max(0, failedAttempts - 1), remaining);
}

/** The whole schedule: each retry's delay after the try before it, until the span is over. */
export function webhookRetrySchedule(policy: WebhookRetryPolicy): number[] {
  const delays: number[] = [];
  let elapsed = 0;
  for (let failed = 1; ; failed++) {
    const delay = webhookRetryDelay(failed, elapsed, policy);
    if (delay === null) return delays;
    delays.push(delay);
    elapsed += delay;
  }
}
