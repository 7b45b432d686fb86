/**
 * Subscribe timing (docs/benchmarks.md): does the answer's timing tell who subscribes? Against the
 * built API as a child process, a scratch database and a unique queue prefix, all removed at the
 * end. (Subscribe → confirmation at the SMTP server is bench:latency's second figure.)
 *
 *   npm run bench:subscribe-timing
 *
 * BENCH_TIMING_PAIRS (200) known-active and as many unknown addresses, interleaved in a
 * random order, one request at a time over a kept-alive connection, rate limits raised through
 * SUBSCRIBE_LIMIT_PER_IP / SUBSCRIBE_LIMIT_PER_ADDRESS. No worker runs: what is timed is the
 * request alone. RESULT: value = median(unknown) − median(active) in ms (absolute), baseline = the
 * 2 ms goal, ratio = value / goal (below 1: goal met); both medians beside it. BENCH_SKIP_BUILD=1
 * reuses dist/.
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { freePort } from '../scripts/net';
import {
  API_MAIN,
  buildApp,
  createScratchDatabase,
  deleteQueueKeys,
  dropScratchDatabase,
  printResult,
  ROOT,
  stopProcess,
  withClient,
  runBench,
} from './support/harness';

const PAIRS = Number(process.env.BENCH_TIMING_PAIRS ?? 200);
const GOAL_MS = 2;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `pw_bench_subscribe_${RUN}`;
const QUEUE_PREFIX = `bench-subscribe-${RUN.replace(/_/g, '-')}`;
const log = (message: string) => console.log(`[bench:subscribe-timing] ${message}`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One request; answers its status and the time to the last byte of the answer, in ms. */
function post(port: number, path: string, body: object): Promise<{ status: number; ms: number }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function startApi(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--enable-source-maps', API_MAIN], {
    cwd: ROOT,
    env: { ...process.env, SCHEDULES_ENABLED: 'false', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitForApi(port: number, api: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (api.exitCode !== null) throw new Error(`the API exited with code ${api.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/v1/status' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the API did not answer within 60 s');
}

async function main() {
  buildApp('api', log);
  const databaseUrl = createScratchDatabase(DB_NAME);
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX,
    PORT: String(port),
    LINK_SECRET: randomBytes(32).toString('base64url'),
    SUBSCRIBE_LIMIT_PER_IP: '1000000/60',
    SUBSCRIBE_LIMIT_PER_ADDRESS: '1000000/3600',
  };
  let api: ChildProcess | undefined;
  try {
    await withClient(databaseUrl, async (db) => {
      await db.query(`INSERT INTO "Country" (code, name, "group") VALUES ('MY', 'Malaysia', 'asean')`);
      await db.query(
        `WITH s AS (
           INSERT INTO "Subscriber" (id, email, state, "confirmedAt", "createdAt", "updatedAt")
           SELECT gen_random_uuid(), 'active-' || i || '@example.org', 'active', now(), now(), now() FROM generate_series(1, $1) i
           RETURNING id)
         INSERT INTO "Subscription" (id, "subscriberId", "countryCode", "createdAt") SELECT gen_random_uuid(), s.id, 'MY', now() FROM s`,
        [PAIRS],
      );
    });
    api = startApi(env);
    await waitForApi(port, api);
    const body = (email: string) => ({ email, countries: ['MY'] });

    // Warm-up (JIT, pools, prepared statements) on addresses of their own.
    for (let i = 0; i < 50; i++) await post(port, '/v1/subscriptions', body(`warmup-${i}@example.org`));
    const active: number[] = [];
    const unknown: number[] = [];
    for (let i = 1; i <= PAIRS; i++) {
      const pair: ['active' | 'unknown', string][] = [['active', `active-${i}@example.org`], ['unknown', `unknown-${i}-${RUN}@example.org`]];
      if (Math.random() < 0.5) pair.reverse();
      for (const [kind, email] of pair) {
        const { status, ms } = await post(port, '/v1/subscriptions', body(email));
        if (status !== 202) throw new Error(`${email}: ${status}`);
        (kind === 'active' ? active : unknown).push(ms);
      }
    }
    const a = median(active);
    const u = median(unknown);
    const slower = active.filter((ms, i) => unknown[i] > ms).length / PAIRS;
    log(`active median ${a.toFixed(2)} ms, unknown median ${u.toFixed(2)} ms, unknown slower in ${(slower * 100).toFixed(0)} % of pairs`);
    const difference = Math.abs(u - a);
    printResult(
      { name: 'subscribe-timing', value: difference, unit: 'ms', baseline: GOAL_MS, ratio: difference / GOAL_MS, activeMedianMs: Number(a.toFixed(2)), unknownMedianMs: Number(u.toFixed(2)), pairs: PAIRS, unknownSlowerShare: Number(slower.toFixed(2)) },
      2,
    );
  } finally {
    agent.destroy();
    if (api) await stopProcess(api);
    await deleteQueueKeys(REDIS_URL, QUEUE_PREFIX);
    await dropScratchDatabase(DB_NAME);
  }
}

runBench(main);
