/**
 * The built apps as child processes, for the tests that need real processes (shutdown, several
 * workers, the reliability trials) and for the benchmarks: build them, start the worker, wait for
 * it, stop a process.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Queue } from 'bullmq';

export const ROOT = path.resolve(__dirname, '../..');
export const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
export const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
/** The built API's createApiApp (what dist/apps/api/…/main.js listens on), for bench/support/api-process.ts. */
export const API_BOOTSTRAP = path.join(ROOT, 'dist/apps/api/apps/api/src/bootstrap.js');

/** `nest build <app>` (`api` or `worker`), unless BENCH_SKIP_BUILD=1 and a build is there. */
export function buildApp(app: 'api' | 'worker', log: (message: string) => void): void {
  if (process.env.BENCH_SKIP_BUILD === '1' && existsSync(app === 'api' ? API_BOOTSTRAP : WORKER_MAIN)) return;
  log(`building the ${app === 'api' ? 'API' : 'worker'} (nest build ${app})…`);
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] }), 'build', app], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
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
