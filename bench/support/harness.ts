/** What every benchmark needs: scratch databases on the test server, and the built worker as a child process. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Queue } from 'bullmq';
import pg from 'pg';
import { loadConfig } from '@pledgewatch/config';
import { QueueBackend } from '@pledgewatch/queue';
import { API_BOOTSTRAP, API_MAIN, buildApp, ROOT, startWorker, stopProcess, waitForWorkers, WORKER_MAIN } from '../../test/support/processes';

// The process harness lives with the tests that use it; the benchmarks reach it from here.
export { API_BOOTSTRAP, API_MAIN, buildApp, ROOT, startWorker, stopProcess, waitForWorkers, WORKER_MAIN };
export const SERVER_URL = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/pledgewatch');

/** The URL of another database on the same server. */
export function dbUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The process's peak resident set (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/**
 * The benchmark's queues, on QUEUE_BACKEND (`redis`, the default here, or `postgres`: BullMQ's
 * PostgreSQL backend in the scratch database), and the environment that puts its worker on the same.
 */
export function benchQueues(databaseUrl: string, queuePrefix: string): { backend: QueueBackend; env: Record<string, string> } {
  const queueBackend = process.env.QUEUE_BACKEND === 'postgres' ? 'postgres' : 'redis';
  const env: Record<string, string> = { QUEUE_BACKEND: queueBackend, QUEUE_PREFIX: queuePrefix, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
  return { backend: new QueueBackend(loadConfig({ ...env, DATABASE_URL: databaseUrl })), env };
}

/** Removes every queue under a Redis-only benchmark's prefix (bench:api, bench:latency). */
export async function deleteQueueKeys(redisUrl: string, queuePrefix: string): Promise<void> {
  const backend = new QueueBackend(loadConfig({ QUEUE_BACKEND: 'redis', REDIS_URL: redisUrl, QUEUE_PREFIX: queuePrefix }));
  try {
    await backend.removeAllJobs();
  } finally {
    await backend.onApplicationShutdown();
  }
}

/** Creates and migrates a scratch database on the test server (`scripts/db.ts migrate`); answers its URL. */
export function createScratchDatabase(name: string): string {
  const url = dbUrl(name);
  execFileSync(process.execPath, [require.resolve('tsx/cli', { paths: [ROOT] }), 'scripts/db.ts', 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return url;
}

/** A copy of a scratch database (CREATE DATABASE … TEMPLATE: the same files), nothing may be connected to it; answers its URL. */
export async function cloneDatabase(template: string, name: string): Promise<string> {
  await withClient(dbUrl('postgres'), (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return dbUrl(name);
}

/** Drops a benchmark's scratch database (connected through the server's `postgres` database). */
export async function dropScratchDatabase(name: string): Promise<void> {
  await withClient(dbUrl('postgres'), (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * How many deliveries (of one kind, if given) are `sent`, waiting up to 5 s for `expected`: the
 * last `UPDATE … status = 'sent'` may land a moment after the sink accepted the message.
 */
export async function sentDeliveries(databaseUrl: string, expected: number, kind?: 'alert' | 'digest'): Promise<number> {
  return withClient(databaseUrl, async (db) => {
    const count = async () =>
      (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Delivery" WHERE status = 'sent' AND ($1::text IS NULL OR kind::text = $1)`, [kind ?? null]))
        .rows[0].n;
    for (let i = 0; i < 50; i++) {
      const n = await count();
      if (n >= expected) return n;
      await new Promise((r) => setTimeout(r, 100));
    }
    return count();
  });
}

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of latency samples (ms). */
export function percentiles(samples: number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { n: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted[sorted.length - 1] };
}

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  [extra: string]: string | number;
}

/**
 * The benchmark's last line: `RESULT {…}`, value and baseline rounded to `digits` decimals
 * (integers unless told), ratio to 3 decimals.
 */
export function printResult(result: BenchResult, digits = 0): void {
  const round = (n: number) => Number(n.toFixed(digits));
  const rounded = { ...result, value: round(result.value), baseline: round(result.baseline), ratio: Number(result.ratio.toFixed(3)) };
  console.log(`RESULT ${JSON.stringify(rounded)}`);
}

/**
 * Runs a benchmark's main: an error is printed and exits 1; either way the process ends when it
 * returns, so whatever a library leaves open (a pool's idle timer, a socket in TIME_WAIT) cannot
 * keep a finished run alive.
 */
export function runBench(main: () => Promise<void>): void {
  main()
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => process.exit());
}

/** A benchmark's queue and database clean-up: its queues closed and emptied, its scratch database dropped. */
export async function releaseQueuesAndDatabase(
  backend: QueueBackend | undefined,
  queues: Queue[],
  dbName: string,
  log: (message: string) => void,
): Promise<void> {
  await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
  await backend?.removeAllJobs().catch((e: Error) => log(`could not remove the queues: ${e.message}`));
  await backend?.onApplicationShutdown();
  await dropScratchDatabase(dbName).catch((e: Error) => log(`could not drop ${dbName}: ${e.message}`));
}
