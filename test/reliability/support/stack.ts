import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { API_MAIN, ROOT, WORKER_MAIN, stopProcess } from '../../support/processes';
import { freePort } from '../../support/redis-server';
import type { QueueBackend } from './backends';

export { API_MAIN };
export const ADMIN_KEY = `pw_reliability_${randomBytes(18).toString('base64url')}`;
const LOG_DIR = process.env.PW_RELIABILITY_LOGS ?? path.join(os.tmpdir(), 'pw-reliability-logs');

/** Where a trial's processes run: its database, its queue store, its mail server. */
export interface StackTarget {
  backend: QueueBackend;
  databaseUrl: string;
  /** The trial's own Redis (redis backend; also the subscribe rate limiter's store today). */
  redisUrl?: string;
  smtpUrl: string;
}

/**
 * The environment of a trial's API and worker: NODE_ENV=test and SCHEDULES_ENABLED=false keep the
 * hourly crons off (the trial drives the check itself), a queue prefix of its own, the bootstrap
 * admin key, and a stuck-delivery threshold short enough for the reconciler to matter in a trial.
 */
export function stackEnv(target: StackTarget, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    SCHEDULES_ENABLED: 'false',
    LOG_LEVEL: 'log',
    NO_COLOR: '1',
    DATABASE_URL: target.databaseUrl,
    SMTP_URL: target.smtpUrl,
    QUEUE_PREFIX: `rel-${randomBytes(4).toString('hex')}`,
    QUEUE_BACKEND: target.backend,
    ADMIN_API_KEY: ADMIN_KEY,
    LINK_SECRET: randomBytes(32).toString('base64url'),
    DELIVERY_STUCK_AFTER_SECONDS: '5',
    METRICS_PORT: '0', // no fixed port shared with other workers on the machine
    ...extra,
  };
  if (target.redisUrl) env.REDIS_URL = target.redisUrl;
  return env;
}

/** A built app (API or worker) as a child process, its output kept in a log file. */
export class AppProcess {
  child?: ChildProcess;
  readonly logFile: string;
  private starts = 0;

  constructor(
    readonly name: string,
    private readonly main: string,
    private env: Record<string, string>,
  ) {
    mkdirSync(LOG_DIR, { recursive: true });
    this.logFile = path.join(LOG_DIR, `${name}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}.log`);
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  spawn(): ChildProcess {
    const out = createWriteStream(this.logFile, { flags: 'a' });
    out.write(`--- start ${++this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, ['--enable-source-maps', '--max-old-space-size=512', this.main], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once('exit', (code, signal) => out.end(`--- exit ${signal ?? code} at ${new Date().toISOString()}\n`));
    this.child = child;
    return child;
  }

  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** `kill -9`: no shutdown hook runs. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    if (this.child) await stopProcess(this.child);
  }
}

export class WorkerProcess extends AppProcess {
  constructor(env: Record<string, string>) {
    super('worker', WORKER_MAIN, env);
  }

  /** Starts the worker and waits for its "worker running" line (the processors are registered by then). */
  async start(timeoutMs = 60_000): Promise<void> {
    const before = this.logs().length;
    const child = this.spawn();
    const until = Date.now() + timeoutMs;
    while (!/worker running/.test(this.logs().slice(before))) {
      if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}) at start:\n${this.logs().slice(before, before + 4000)}`);
      if (Date.now() > until) throw new Error(`the worker did not start within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export class ApiProcess extends AppProcess {
  readonly port: number;

  private constructor(port: number, env: Record<string, string>) {
    super('api', API_MAIN, { ...env, PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` });
    this.port = port;
  }

  static async create(env: Record<string, string>): Promise<ApiProcess> {
    return new ApiProcess(await freePort(), env);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Starts the API and waits for its own "API listening … (port P)" line, then for GET /v1/status
   * to answer 200. The line first: on a shared machine another process can take the free port
   * between freePort() and the listen, and its answers must not pass for this API's.
   */
  async start(timeoutMs = 60_000): Promise<void> {
    const before = this.logs().length;
    const child = this.spawn();
    const until = Date.now() + timeoutMs;
    const listening = new RegExp(`API listening on \\S+ \\(port ${this.port}\\)`);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}) at start:\n${this.logs().slice(before).slice(-4000)}`);
      if (!listening.test(this.logs().slice(before))) {
        if (Date.now() > until) throw new Error(`the API did not listen on port ${this.port} within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const ok = await fetch(`${this.base}/v1/status`, { signal: AbortSignal.timeout(2_000) }).then(
        async (r) => (await r.arrayBuffer(), r.status === 200),
        () => false,
      );
      if (ok) return;
      if (Date.now() > until) throw new Error(`the API did not answer /v1/status within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
  ms: number;
}

/** One request to a trial's API, timed; a network error or timeout answers status 0. */
export async function call(
  base: string,
  method: string,
  route: string,
  options: { body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; key?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.key) headers.Authorization = `Bearer ${options.key}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const started = performance.now();
  try {
    const res = await fetch(`${base}${route}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, text, json, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, headers: new Headers(), text: String(error), json: undefined, ms: performance.now() - started };
  }
}

export async function sql<R extends pg.QueryResultRow = any>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Polls `check` every 250 ms until it answers truthy; fails after `timeoutMs` naming `what`. */
export async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | false | null | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A size knob: the environment variable, else the CI default. */
export function knob(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function p99(samples: number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
}

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
