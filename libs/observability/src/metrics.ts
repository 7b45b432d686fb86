import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus metric of the service, on one registry per process (API or worker). Features
 * import the metric they move; the scrape endpoint renders the registry. Names are a stored format
 * (dashboards and alerts refer to them): add, do not rename.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const metrics = {
  httpDuration: new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status, from arrival to the last byte.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  }),
  eventsWritten: new Counter({
    name: 'pledgewatch_events_written_total',
    help: 'Events written, by type (editor writes and status checks).',
    labelNames: ['type'] as const,
    registers: [registry],
  }),
  deliveries: new Counter({
    name: 'pledgewatch_deliveries_total',
    help: 'Deliveries that reached a final status, by kind and status (sent, failed, suppressed).',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
  }),
  sendDuration: new Histogram({
    name: 'pledgewatch_email_send_duration_seconds',
    help: 'Time the SMTP server took to accept one email, by delivery kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  }),
  queueJobs: new Gauge({
    name: 'pledgewatch_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed), read at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
  }),
  statusCheckDuration: new Histogram({
    name: 'pledgewatch_status_check_duration_seconds',
    help: 'Duration of a status check run (not dry runs, not skipped slots).',
    buckets: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600],
    registers: [registry],
  }),
  statusCheckEvents: new Histogram({
    name: 'pledgewatch_status_check_events',
    help: 'Events written per status check run.',
    buckets: [0, 1, 5, 10, 50, 100, 1_000, 10_000, 100_000],
    registers: [registry],
  }),
  digestRunDuration: new Histogram({
    name: 'pledgewatch_digest_run_duration_seconds',
    help: 'Duration of a digest run (one hourly slot: deliveries created and enqueued).',
    buckets: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [registry],
  }),
  digestRuns: new Counter({
    name: 'pledgewatch_digest_runs_total',
    help: 'Digest runs finished.',
    registers: [registry],
  }),
  outboxBacklog: new Gauge({
    name: 'pledgewatch_outbox_backlog',
    help: 'Events not yet dispatched to the queue (outbox), read at scrape time.',
    registers: [registry],
  }),
};

/** Seconds since `startedAt` (process.hrtime.bigint()). */
export const secondsSince = (startedAt: bigint): number => Number(process.hrtime.bigint() - startedAt) / 1e9;

/** Times `work` into `histogram` (labels optional), whether it resolves or throws. */
export async function timed<T>(histogram: Histogram, work: () => Promise<T>): Promise<T> {
  const end = histogram.startTimer();
  try {
    return await work();
  } finally {
    end();
  }
}
