/**
 * The two commands, after scripts/bootstrap.js has installed dependencies.
 *
 *   tsx scripts/run.ts start [--embedded]        services → migrations → seed → build → API + worker, until Ctrl-C
 *   tsx scripts/run.ts test [--embedded] [...]   services → jest [...] (tests make their own databases)
 *   tsx scripts/run.ts cli [--embedded] [...]    the database found as for start → migrations → apps/cli [...]
 *
 * `--embedded` (or PW_EMBEDDED=1): embedded PostgreSQL and the PostgreSQL queue backend even where
 * local servers run (scripts/services.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { freePort, httpOk, isPortFree } from './net';
import { watchParent } from './orphan-watchdog';
import { ensureDatabaseService, ensureServices, ServiceError, type Services } from './services';

const ROOT = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
const log = (message: string) => console.log(`[pledgewatch] ${message}`);

const API_MAIN = 'dist/apps/api/apps/api/src/main.js';
/** libs/config's default METRICS_PORT; also a common exporter port, so often taken. */
const DEFAULT_METRICS_PORT = 9464;
const WORKER_MAIN = 'dist/apps/worker/apps/worker/src/main.js';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Children and shutdown. Every child runs in its own process group, so a terminal's Ctrl-C
// reaches only this process, which then stops them in order: apps first, MailDev last.

const children = new Set<ChildProcess>();
let services: Pick<Services, 'stop'> | undefined;
let stopping: Promise<never> | undefined;

function alive(child: ChildProcess) {
  return child.exitCode === null && child.signalCode === null;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null) {
  return code ?? 128 + (signal ? os.constants.signals[signal] ?? 0 : 1);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (!alive(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => alive(child) && child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Stops everything this run started, once, and exits with `code`. */
function shutdown(code: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<never> {
  stopping ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child, signal)));
    await services?.stop().catch(() => {});
    process.exit(code);
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!stopping) log(`${signal}: stopping …`);
    void shutdown(0, signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  });
}

// Orphaned (the processes that started us were killed without passing a signal on): stop too.
watchParent(() => {
  if (stopping) return;
  log('parent process gone: stopping …');
  void shutdown(1);
});

// Whatever way this process ends, no child outlives it.
process.on('exit', () => {
  for (const child of children) if (alive(child)) child.kill('SIGKILL');
});

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Prefix each output line with this label. */
  label?: string;
  /** Its standard output to our standard error (`cli`: stdout is the command's answer alone). */
  toStderr?: boolean;
}

function launch(command: string, args: string[], { env = process.env, label, toStderr }: RunOptions = {}): ChildProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    detached: process.platform !== 'win32',
    stdio: label ? ['ignore', 'pipe', 'pipe'] : ['ignore', toStderr ? 2 : 'inherit', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (label) {
    for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
      let rest = '';
      stream!.setEncoding('utf8');
      stream!.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) out.write(`${label} | ${line}\n`);
      });
      stream!.on('end', () => rest && out.write(`${label} | ${rest}\n`));
    }
  }
  return child;
}

/** Runs a step to completion; a failed step stops the run with its exit code. */
async function step(what: string, command: string, args: string[], options: RunOptions = {}): Promise<void> {
  const started = Date.now();
  log(`${what} …`);
  const child = launch(command, args, options);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  });
  if (stopping) await stopping;
  if (code !== 0) {
    console.error(`[pledgewatch] ${what} failed (${signal ?? `exit ${code}`})`);
    await shutdown(exitCodeOf(code, signal));
  }
  log(`${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const tsx = (...args: string[]) => [bin('tsx'), args] as const;

// ---------------------------------------------------------------------------------------------

/** The environment the apps (or Jest) get: the services found, and the queue backend to use. */
function servicesEnv(found: Services): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: found.databaseUrl, QUEUE_BACKEND: found.queueBackend, SMTP_URL: found.smtpUrl };
  if (found.redisUrl) env.REDIS_URL = found.redisUrl;
  else delete env.REDIS_URL;
  return env;
}

async function start(embedded: boolean) {
  const port = Number(process.env.PORT || 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ServiceError(`PORT (${process.env.PORT}) must be a port number`);
  if (!(await isPortFree(port))) {
    throw new ServiceError(`port ${port} is already in use (PORT=${port}); stop what runs there or choose another, e.g. PORT=3001 npm start`);
  }

  const metricsPort = await workerMetricsPort();

  const found = await ensureServices({ embedded });
  services = found;
  const env: NodeJS.ProcessEnv = {
    ...servicesEnv(found),
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL || `http://localhost:${port}`,
  };
  let generatedKey = false;
  if (!env.ADMIN_API_KEY) {
    env.ADMIN_API_KEY = `pw_dev_${randomBytes(24).toString('base64url')}`;
    generatedKey = true;
  }

  await step('migrations', ...tsx('scripts/db.ts', 'migrate'), { env });
  if (existsSync(path.join(ROOT, 'prisma/seed.ts'))) {
    await step('seed', ...tsx('prisma/seed.ts'), { env });
  } else {
    log('seed: prisma/seed.ts is not there yet; skipped');
  }
  if (buildIsCurrent()) log('build: dist/ is newer than every source file; not rebuilt');
  else await step('build', ...npmRun('build'), { env });

  const apps = [
    { name: 'api', child: launch(process.execPath, ['--enable-source-maps', API_MAIN], { env, label: 'api   ' }) },
    // The heap cap keeps the worker's RSS near its live set (bench/RESULTS.md, fan-out: 391 → 217 MB at the same rate).
    { name: 'worker', child: launch(process.execPath, ['--enable-source-maps', '--max-old-space-size=512', WORKER_MAIN], { env, label: 'worker' }) },
  ];
  for (const { name, child } of apps) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[pledgewatch] ${name} exited (${signal ?? `exit ${code}`}); stopping everything`);
      void shutdown(exitCodeOf(code, signal) || 1);
    });
  }

  const statusUrl = `http://127.0.0.1:${port}/health/ready`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await httpOk(statusUrl))) {
    if (stopping) return;
    if (Date.now() > deadline) {
      console.error(`[pledgewatch] the API did not answer GET /health/ready within ${READY_TIMEOUT_MS / 1000} s`);
      await shutdown(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  const base = env.PUBLIC_BASE_URL!.replace(/\/+$/, '');
  const key = env.ADMIN_API_KEY;
  console.log(
    [
      '',
      `Pledgewatch is running. Open ${base}/ in a browser.`,
      '',
      `  Home page    ${base}/`,
      `  API          ${base}/v1   (docs: ${base}/docs, readiness: ${base}/health/ready, metrics: ${base}/metrics)`,
      `  Database     ${found.databaseSource === 'DATABASE_URL' ? 'DATABASE_URL' : `${found.databaseSource} PostgreSQL`}: ${redactUrl(found.databaseUrl)}`,
      `  Queues       ${found.queueBackend === 'postgres' ? "PostgreSQL (BullMQ's PostgreSQL backend, schema bullmq_<QUEUE_PREFIX>)" : process.env.REDIS_CLUSTER_NODES ? `Redis Cluster (${process.env.REDIS_CLUSTER_NODES})` : `Redis ${found.redisUrl}`}`,
      `  Queue board  ${base}/admin/queues   (user admin, password: the admin key)`,
      `  Worker       running (alerts, digests, scheduled checks)${metricsPort ? `; metrics http://localhost:${metricsPort}/metrics` : ''}`,
      found.mailUi ? `  Mail catcher ${found.mailUi}   (every email sent; SMTP on ${found.smtpUrl})` : `  Mail         sent through ${found.smtpUrl}`,
      `  Admin key    ${generatedKey ? `${key}   (generated for this run; set ADMIN_API_KEY to keep one)` : 'ADMIN_API_KEY from your environment'}`,
      '',
      'Try:',
      `  curl ${base}/health/ready`,
      `  curl '${base}/v1/workstreams?country=PH&sector=maritime-security'`,
      `  curl -H 'Authorization: Bearer ${generatedKey ? key : '$ADMIN_API_KEY'}' ${base}/v1/admin/subscribers`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise(() => {}); // until a signal or a child's exit calls shutdown()
}

/**
 * The worker's METRICS_PORT: the default when free, else a free one; one the user set must be free
 * (a line naming the variable, not the worker's EADDRINUSE stack).
 */
async function workerMetricsPort(): Promise<number> {
  const given = process.env.METRICS_PORT;
  if (given) {
    const port = Number(given);
    // Not a port at all: the worker's configuration check names the problem.
    if (!Number.isInteger(port) || port <= 0 || port > 65535 || (await isPortFree(port))) return port;
    throw new ServiceError(`METRICS_PORT=${port} is already in use (the worker's /metrics and /health port); stop what runs there, choose another port, unset it to let npm start pick a free one, or set 0 for none`);
  }
  if (await isPortFree(DEFAULT_METRICS_PORT)) return DEFAULT_METRICS_PORT;
  const port = await freePort();
  log(`port ${DEFAULT_METRICS_PORT} (the worker's default METRICS_PORT) is taken; the worker's metrics are on ${port} for this run`);
  return port;
}

async function test(args: string[], embedded: boolean) {
  const found = await ensureServices({ embedded });
  services = found;
  // Each Jest project picks its own queue backend (jest.config.js, test/support/queues.ts);
  // the `redis` project needs a Redis (REDIS_URL, else 127.0.0.1:6379), as does the cluster trial.
  const env = servicesEnv(found);
  delete env.QUEUE_BACKEND;
  env.REDIS_URL = found.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const jest = launch(process.execPath, [require.resolve('jest/bin/jest', { paths: [ROOT] }), ...args], { env });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    jest.once('exit', (c, s) => resolve([c, s])),
  );
  if (stopping) await stopping;
  await shutdown(exitCodeOf(code, signal));
}

/**
 * `npm run cli -- …`: the database found as `npm start` finds it (DATABASE_URL, the local server,
 * the embedded one `npm start` runs, else an embedded one for this command), migrated, then the
 * command. Our own lines go to stderr, so stdout is the command's answer (`keys:list --json`).
 */
async function cli(args: string[], embedded: boolean) {
  console.log = (...parts: unknown[]) => console.error(...parts);
  const database = await ensureDatabaseService({ embedded });
  services = database;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url };
  await step('migrations', ...tsx('scripts/db.ts', 'migrate'), { env, toStderr: true });
  const command = launch(bin('tsx'), ['apps/cli/src/main.ts', ...args], { env });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    command.once('exit', (c, s) => resolve([c, s])),
  );
  if (stopping) await stopping;
  await shutdown(exitCodeOf(code, signal));
}

// ---------------------------------------------------------------------------------------------

/** Newest modification time under `dir` (files only), 0 when it does not exist. */
function newestMtime(dir: string): number {
  let newest = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Both apps built after the last change to their sources and build settings: a restart skips `nest build`. */
function buildIsCurrent(): boolean {
  const built = Math.min(...[API_MAIN, WORKER_MAIN].map((file) => statSync(path.join(ROOT, file), { throwIfNoEntry: false })?.mtimeMs ?? 0));
  if (built === 0) return false;
  const inputs = ['apps', 'libs', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];
  return inputs.every((input) => newestMtime(path.join(ROOT, input)) < built);
}

/** `npm run <script>` with the npm that started us (npm_execpath), else the one on PATH. */
function npmRun(script: string): readonly [string, string[]] {
  const npmCli = process.env.npm_execpath;
  if (npmCli && /\.c?js$/.test(npmCli)) return [process.execPath, [npmCli, 'run', '--silent', script]];
  return ['npm', ['run', '--silent', script]];
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function main() {
  dotenv.config({ path: path.join(ROOT, '.env'), quiet: true });
  const [command, ...rest] = process.argv.slice(2);
  const embedded = rest.includes('--embedded') || /^(1|true|yes)$/i.test(process.env.PW_EMBEDDED ?? '');
  const args = rest.filter((arg) => arg !== '--embedded');
  if (command === 'start') return start(embedded);
  if (command === 'test') return test(args, embedded);
  if (command === 'cli') return cli(args, embedded);
  console.error('usage: tsx scripts/run.ts start|test|cli [...args]');
  process.exit(2);
}

main().catch(async (error) => {
  console.error(error instanceof ServiceError ? `\n[pledgewatch] ${error.message}\n` : error);
  await shutdown(1);
});
