/** What every benchmark needs: scratch databases on the test server, and the built worker as a child process. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Queue } from 'bullmq';
import pg from 'pg';
import { loadConfig } from '@pledgewatch/config';
import { QueueBackend } from '@pledgewatch/queue';

export const ROOT = path.resolve(__dirname, '../..');
export const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
export const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
/** The built API's createApiApp (what dist/apps/api/…/main.js listens on), for bench/support/api-process.ts. */
export const API_BOOTSTRAP = path.join(ROOT, 'dist/apps/api/apps/api/src/bootstrap.js');
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

/** `nest build <app>` (`api` or `worker`), unless BENCH_SKIP_BUILD=1 and a build is there. */
export function buildApp(app: 'api' | 'worker', log: (message: string) => void): void {
  if (process.env.BENCH_SKIP_BUILD === '1' && existsSync(app === 'api' ? API_BOOTSTRAP : WORKER_MAIN)) return;
  log(`building the ${app === 'api' ? 'API' : 'worker'} (nest build ${app})…`);
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] }), 'build', app], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The process's peak resident set (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/**
 * The built worker as a child process, with the node flags `npm start` (scripts/run.ts) and
 * docker/compose.yml give it (`--max-old-space-size=512`, or BENCH_WORKER_NODE_ARGS instead), its
 * logs at warn level, and `env` (database, Redis, SMTP, queue prefix) on top of this process's.
 *
 * SCHEDULES_ENABLED=false keeps the worker's own crons (the hourly status check, the digest slot) off, as in
 * the tests: the benchmark drives its jobs itself. A run that crossed the hour with them on had the
 * check flip the generated workstreams' health and the fan-out add 1.28 million alert deliveries
 * to the digests being measured.
 */
export function startWorker(env: Record<string, string>): ChildProcess {
  const nodeArgs = ['--enable-source-maps', ...(process.env.BENCH_WORKER_NODE_ARGS ?? '--max-old-space-size=512').split(' ').filter(Boolean)];
  return spawn(process.execPath, [...nodeArgs, WORKER_MAIN], {
    cwd: ROOT,
    env: { ...process.env, SCHEDULES_ENABLED: 'false', LOG_LEVEL: 'warn', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Until every queue has a live worker; fails at once if the worker process died. */
export async function waitForWorkers(worker: ChildProcess, queues: Queue[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (exited(worker)) throw new Error(`the worker exited with code ${worker.exitCode} before it was ready`);
    const counts = await Promise.all(queues.map((q) => q.getWorkersCount()));
    if (counts.every((c) => c > 0)) return;
    if (Date.now() > until) throw new Error(`the worker did not start within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM, then SIGKILL after 15 s (the worker, the API); a process already gone (by exit code or signal) is left alone. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
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
