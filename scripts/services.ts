/**
 * Finds or starts the services Pledgewatch needs, for `npm start` and `npm test` (scripts/run.ts).
 *
 * PostgreSQL and Redis: the ones DATABASE_URL / REDIS_URL name; else local ones on their standard
 * ports; else Docker Compose (docker/compose.yml); else a message saying what to install.
 * Mail: SMTP_URL's server; else MailDev, started here as a child process, whose web page shows
 * every email sent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import Redis from 'ioredis';
import { ensureDatabase } from '../libs/database/src/ensure-database';
import { freePort, httpOk, isPortFree } from './net';

const ROOT = path.resolve(__dirname, '..');
const COMPOSE_FILE = path.join(ROOT, 'docker/compose.yml');

const LOCAL_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/pledgewatch';
const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';
// What docker/compose.yml publishes on the host.
const COMPOSE_DATABASE_URL = 'postgresql://postgres:postgres@127.0.0.1:5432/pledgewatch';
const COMPOSE_REDIS_URL = 'redis://127.0.0.1:6379';

const PROBE_TIMEOUT_MS = 2_000;
const DOCKER_WAIT_MS = 90_000;
const MAILDEV_WAIT_MS = 20_000;

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  smtpUrl: string;
  /** The mail catcher's web page, when this run started one. */
  mailUi?: string;
  /** Stops what this run started (MailDev); containers started by Docker Compose are left running. */
  stop(): Promise<void>;
}

export class ServiceError extends Error {}

const log = (message: string) => console.log(`[pledgewatch] ${message}`);

export async function ensureServices(): Promise<Services> {
  let databaseUrl = process.env.DATABASE_URL || undefined;
  let redisUrl = process.env.REDIS_URL || undefined;

  if (databaseUrl) await requirePostgres(databaseUrl, 'DATABASE_URL');
  if (redisUrl) await requireRedis(redisUrl, 'REDIS_URL');

  const missing: Array<'postgres' | 'redis'> = [];
  if (!databaseUrl) {
    const problem = await probePostgres(LOCAL_DATABASE_URL);
    if (problem === null) databaseUrl = LOCAL_DATABASE_URL;
    else if (problem.reachable) throw new ServiceError(`PostgreSQL answers on 127.0.0.1:5432 but refused ${LOCAL_DATABASE_URL}: ${problem.message}\nSet DATABASE_URL to a URL it accepts (with user and password).`);
    else missing.push('postgres');
  }
  if (!redisUrl) {
    if ((await probeRedis(LOCAL_REDIS_URL)) === null) redisUrl = LOCAL_REDIS_URL;
    else missing.push('redis');
  }
  if (missing.length) {
    await startWithCompose(missing);
    if (!databaseUrl) databaseUrl = COMPOSE_DATABASE_URL;
    if (!redisUrl) redisUrl = COMPOSE_REDIS_URL;
    await waitFor('PostgreSQL (docker compose)', DOCKER_WAIT_MS, async () => (await probePostgres(databaseUrl!)) === null);
    await waitFor('Redis (docker compose)', DOCKER_WAIT_MS, async () => (await probeRedis(redisUrl!)) === null);
  }

  if (await ensureDatabase(databaseUrl!)) log(`created database ${new URL(databaseUrl!).pathname.slice(1)}`);

  if (process.env.SMTP_URL) {
    await requireSmtp(process.env.SMTP_URL);
    return { databaseUrl: databaseUrl!, redisUrl: redisUrl!, smtpUrl: process.env.SMTP_URL, stop: async () => {} };
  }
  const maildev = await startMailDev();
  return { databaseUrl: databaseUrl!, redisUrl: redisUrl!, ...maildev };
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
// Docker Compose fallback

/** Whether a Docker engine answers and has the compose plugin (docker/compose.yml needs Compose v2). */
function dockerStatus(): 'ready' | 'no-engine' | 'no-compose' {
  const ok = (args: string[]) => spawnSync('docker', args, { stdio: 'ignore', timeout: 15_000 }).status === 0;
  if (!ok(['info'])) return 'no-engine';
  return ok(['compose', 'version']) ? 'ready' : 'no-compose';
}

async function startWithCompose(missing: Array<'postgres' | 'redis'>) {
  const names = missing.map((m) => (m === 'postgres' ? 'PostgreSQL (127.0.0.1:5432)' : 'Redis (127.0.0.1:6379)')).join(' and ');
  const docker = dockerStatus();
  if (docker !== 'ready') {
    throw new ServiceError(
      [
        docker === 'no-engine'
          ? `No ${names} answered, and there is no running Docker engine to start ${missing.length > 1 ? 'them' : 'it'} in.`
          : `No ${names} answered, and Docker has no compose plugin (\`docker compose\`) to start ${missing.length > 1 ? 'them' : 'it'} with.`,
        'Pledgewatch needs PostgreSQL 15+ and Redis 7+. Either:',
        '  - install them locally (Debian/Ubuntu: apt-get install postgresql redis-server; macOS: brew install postgresql@16 redis),',
        '    with a "postgres" user that may log in from 127.0.0.1 without a password, or set DATABASE_URL;',
        '  - or install Docker with its compose plugin and start the engine: `npm start` then runs them from docker/compose.yml;',
        '  - or point DATABASE_URL and REDIS_URL at servers you already have.',
      ].join('\n'),
    );
  }
  const compose = ['docker', 'compose'];
  log(`no ${names} found; starting ${missing.join(' and ')} with ${compose.join(' ')} (docker/compose.yml)`);
  const result = spawnSync(compose[0], [...compose.slice(1), '-f', COMPOSE_FILE, 'up', '-d', ...missing], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new ServiceError(`${compose.join(' ')} up failed (exit ${result.status ?? result.signal})`);
  log(`(containers keep running after this command; stop them with: ${compose.join(' ')} -f docker/compose.yml stop)`);
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
