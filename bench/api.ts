/**
 * Public API benchmark (docs/benchmarks.md): 10,000 generated workstreams (× 5 milestones, 1–2 countries and
 * sectors each, their `workstream.created` events, then one status check over them for health and
 * history) in a scratch database; the built API in a child process; autocannon with 64 connections
 * for 20 s per route (in 4 rounds of 5 s, the routes taking turns) against
 *
 *   GET /v1/workstreams?country=MY     the filtered list (first page, 20 items)
 *   GET /v1/workstreams/{slug}         one workstream with milestones and history (slugs rotate)
 *   GET /v1/events?limit=50            the change log
 *
 * and, in the same run against the same process, a bare Nest route of this app instance
 * (GET /v1/bench/bare, registered by bench/support/api-server.ts only) answering a constant JSON
 * body: the list's own first page, so the same bytes through the same serialisation, with no
 * validation and no database. Prints requests/s, p50 and p99 of each and their ratio to the bare
 * route; the RESULT line is the slowest of the three routes, with its p99.
 *
 *   npm run bench:api
 *
 * Knobs (environment): BENCH_WORKSTREAMS (10000), BENCH_DURATION (seconds per route, 20),
 * BENCH_ROUNDS (4: the routes take turns, DURATION / ROUNDS seconds each per round),
 * BENCH_WARMUP (seconds per route before measuring, 3), BENCH_CONNECTIONS (64),
 * BENCH_SKIP_BUILD=1 (reuse dist/ from a previous `nest build api`), BENCH_KEEP_DB=1.
 *
 * Everything it makes is its own and removed at the end: a scratch database, a queue prefix in
 * Redis (the API connects its queues at boot; these GETs enqueue nothing), one child process.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import autocannon from 'autocannon';
import { PrismaClient } from '@pledgewatch/database';
import { ApiProcess, startApi } from './support/api-process';
import { buildApp, createScratchDatabase, deleteQueueKeys, dropScratchDatabase, percentiles, printResult, withClient, runBench } from './support/harness';
import { addTopicsAndText, generateWorkstreams, statusCheck } from './support/workstreams';

const N = Number(process.env.BENCH_WORKSTREAMS ?? 10_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `pw_bench_api_${RUN}`;
const QUEUE_PREFIX = `bench-api-${RUN.replace(/_/g, '-')}`;
const AS_OF = new Date();
const WINDOWS = { warningDays: 14, graceDays: 7, stallDays: 180 };
const SLUGS = 500;

const log = (message: string) => console.log(`[bench:api] ${message}`);

interface Route {
  name: string;
  /** The path of each request (called per request: the detail route rotates over slugs). */
  path: () => string;
}

interface Measured {
  route: string;
  rps: number;
  p50: number;
  p99: number;
  bytes: number;
}

async function seed(url: string): Promise<string[]> {
  await withClient(url, async (db) => {
    await generateWorkstreams(db, N, AS_OF);
    await addTopicsAndText(db);
    await db.query('VACUUM ANALYZE');
  });
  // The health, its reasons, the overdue flips and their events, the run row: as the hourly check leaves them.
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  try {
    const result = await statusCheck(prisma, url, WINDOWS).evaluate({ asOf: AS_OF, windows: WINDOWS }, null, 'bench');
    log(`status check: ${result.milestonesOverdue.toLocaleString('en')} milestones overdue, ${result.healthChanged.toLocaleString('en')} health changes`);
  } finally {
    await prisma.$disconnect();
  }
  return withClient(url, async (db) => {
    await db.query('VACUUM ANALYZE');
    const counts = await db.query<{ events: number; my: number }>(
      `SELECT (SELECT count(*)::int FROM "Event") AS events, (SELECT count(*)::int FROM "WorkstreamCountry" WHERE "countryCode" = 'MY') AS my`,
    );
    log(`${counts.rows[0].events.toLocaleString('en')} events; ${counts.rows[0].my.toLocaleString('en')} workstreams in Malaysia`);
    const slugs = await db.query<{ slug: string }>(`SELECT slug FROM "Workstream" ORDER BY hashtext(slug) LIMIT ${SLUGS}`);
    return slugs.rows.map((r) => r.slug);
  });
}

/** One autocannon run against one route: every answer's latency goes into `latencies`; any non-2xx or socket error fails the benchmark. */
async function load(api: ApiProcess, route: Route, seconds: number, latencies: number[] | null): Promise<{ requests: number; seconds: number; bytes: number }> {
  const options = {
    url: api.baseUrl,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'GET' as const, setupRequest: (request: autocannon.Request) => ({ ...request, path: route.path() }) }],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)));
    if (latencies) instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${route.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { requests: result.requests.total, seconds: result.duration || seconds, bytes: result.throughput.total };
}

/**
 * Each route warmed up, then ROUNDS rounds in which every route runs DURATION / ROUNDS seconds in
 * turn: on a machine whose load drifts (other work, autovacuum), every route sees the same drift,
 * so the ratios stay fair. Percentiles are over every answer of every round.
 */
async function measureAll(api: ApiProcess, routes: Route[]): Promise<Measured[]> {
  for (const route of routes) if (WARMUP > 0) await load(api, route, WARMUP, null);
  const totals = routes.map(() => ({ requests: 0, seconds: 0, bytes: 0, latencies: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, route] of routes.entries()) {
      const run = await load(api, route, DURATION / ROUNDS, totals[i].latencies);
      totals[i].requests += run.requests;
      totals[i].seconds += run.seconds;
      totals[i].bytes += run.bytes;
    }
  }
  return routes.map((route, i) => {
    const { p50, p99 } = percentiles(totals[i].latencies);
    return { route: route.name, rps: totals[i].requests / totals[i].seconds, p50, p99, bytes: totals[i].bytes / Math.max(1, totals[i].requests) };
  });
}

async function main() {
  buildApp('api', log);
  log(`scratch database ${DB_NAME}; ${N.toLocaleString('en')} workstreams; ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per route in ${ROUNDS} rounds`);
  let api: ApiProcess | undefined;
  try {
    const url = createScratchDatabase(DB_NAME);
    const started = Date.now();
    const slugs = await seed(url);
    log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    api = await startApi(
      { NODE_ENV: 'production', DATABASE_URL: url, REDIS_URL, QUEUE_PREFIX, LINK_SECRET: randomBytes(32).toString('base64url'), SMTP_URL: 'smtp://127.0.0.1:9' },
      { bare: true },
    );
    // The bare route answers the list's own first page: the same body, nothing behind it.
    const page = await (await fetch(`${api.baseUrl}/v1/workstreams?country=MY`)).json();
    await api.setBareBody(page);

    let next = 0;
    const routes: Route[] = [
      { name: 'GET /v1/bench/bare (constant)', path: () => '/v1/bench/bare' },
      { name: 'GET /v1/workstreams?country=MY', path: () => '/v1/workstreams?country=MY' },
      { name: 'GET /v1/workstreams/{slug}', path: () => `/v1/workstreams/${slugs[next++ % slugs.length]}` },
      { name: 'GET /v1/events?limit=50', path: () => '/v1/events?limit=50' },
    ];
    const results = await measureAll(api, routes);
    const rssMb = api.peakRssMb();

    const [bare, ...measuredRoutes] = results;
    console.log('');
    console.log('| route | req/s | p50 ms | p99 ms | KB/answer | ratio to bare |');
    console.log('|---|---|---|---|---|---|');
    for (const r of results) {
      console.log(`| ${r.route} | ${Math.round(r.rps)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.bytes / 1024).toFixed(1)} | ${(r.rps / bare.rps).toFixed(2)} |`);
    }
    console.log('');
    const slowest = measuredRoutes.reduce((a, b) => (b.rps < a.rps ? b : a));
    log(`slowest: ${slowest.route}, ratio ${(slowest.rps / bare.rps).toFixed(2)} (goal ≥ 0.5), p99 ${slowest.p99.toFixed(1)} ms (goal < 50); API peak RSS ${rssMb} MB`);
    printResult({ name: 'api', value: slowest.rps, unit: 'req/s', baseline: bare.rps, ratio: slowest.rps / bare.rps, p99Ms: Number(slowest.p99.toFixed(1)), route: slowest.route });
  } finally {
    await api?.stop();
    await deleteQueueKeys(REDIS_URL, QUEUE_PREFIX).catch((e: Error) => log(`could not delete queue keys: ${e.message}`));
    if (process.env.BENCH_KEEP_DB) console.error(`[bench:api] kept ${DB_NAME} (BENCH_KEEP_DB): drop it when done`);
    else await dropScratchDatabase(DB_NAME).catch((e: Error) => log(`could not drop ${DB_NAME}: ${e.message}`));
  }
}

runBench(main);
