/**
 * Search benchmark: GET /v1/workstreams?q= (full-text, ranked; docs/pages.md) over 100,000 generated
 * workstreams (bench/support/workstreams.ts: 1–2 countries and sectors each, a summary and source
 * quote of typical length, then one status check) in a scratch database; the built API in a child
 * process; autocannon with 64 connections, the routes taking turns in rounds, against
 *
 *   GET /v1/workstreams?q=<a commitment's number>   a rare word: one match (numbers rotate)
 *   GET /v1/workstreams?q=Malaysia                   a country's name: about one workstream in eight
 *   GET /v1/workstreams?q="coastal radars" Malaysia  a phrase and a word
 *
 * with the public read cache off (PUBLIC_CACHE_ENTRIES=0: searches are a long tail of URLs, and a
 * kept answer would measure the cache, not the search), and, in the same run, the bare Nest route of the same process answering the first page of the
 * country search as a constant body (same bytes, no validation, no database). Prints requests/s,
 * p50 and p99 of each and their ratio to the bare route; the RESULT line is the slowest search.
 * Goal: p99 < 50 ms, ratio ≥ 0.5.
 *
 *   npm run bench:search
 *
 * Knobs (environment): BENCH_WORKSTREAMS (100000), BENCH_DURATION (seconds per route, 20),
 * BENCH_ROUNDS (4), BENCH_WARMUP (3), BENCH_CONNECTIONS (64), BENCH_SKIP_BUILD=1, BENCH_KEEP_DB=1.
 *
 * Everything it makes is its own and removed at the end: a scratch database, a queue prefix, one process.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import autocannon from 'autocannon';
import { PrismaClient } from '@pledgewatch/database';
import { ApiProcess, startApi } from './support/api-process';
import { buildApp, createScratchDatabase, deleteQueueKeys, dropScratchDatabase, percentiles, printResult, runBench, withClient } from './support/harness';
import { addTopicsAndText, generateWorkstreams, statusCheck } from './support/workstreams';

const N = Number(process.env.BENCH_WORKSTREAMS ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `pw_bench_search_${RUN}`;
const QUEUE_PREFIX = `bench-search-${RUN.replace(/_/g, '-')}`;
const AS_OF = new Date();
const WINDOWS = { warningDays: 14, graceDays: 7, stallDays: 180 };

const log = (message: string) => console.log(`[bench:search] ${message}`);

interface Route {
  name: string;
  path: () => string;
}

async function seed(url: string): Promise<void> {
  await withClient(url, async (db) => {
    await generateWorkstreams(db, N, AS_OF);
    await addTopicsAndText(db);
    await db.query('VACUUM ANALYZE');
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  try {
    await statusCheck(prisma, url, WINDOWS).evaluate({ asOf: AS_OF, windows: WINDOWS }, null, 'bench');
  } finally {
    await prisma.$disconnect();
  }
  await withClient(url, async (db) => {
    await db.query('VACUUM ANALYZE');
    const { rows } = await db.query<{ indexed: number; malaysia: number }>(
      `SELECT count(*)::int AS indexed,
              count(*) FILTER (WHERE document @@ websearch_to_tsquery('english', 'Malaysia'))::int AS malaysia
         FROM "WorkstreamSearch"`,
    );
    log(`${rows[0].indexed.toLocaleString('en')} search documents; "Malaysia" matches ${rows[0].malaysia.toLocaleString('en')}`);
  });
}

async function load(api: ApiProcess, route: Route, seconds: number, latencies: number[] | null) {
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
  return { requests: result.requests.total, seconds: result.duration || seconds };
}

async function main() {
  buildApp('api', log);
  log(`scratch database ${DB_NAME}; ${N.toLocaleString('en')} workstreams; ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per route in ${ROUNDS} rounds`);
  let api: ApiProcess | undefined;
  try {
    const url = createScratchDatabase(DB_NAME);
    const started = Date.now();
    await seed(url);
    log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    api = await startApi(
      {
        NODE_ENV: 'production',
        DATABASE_URL: url,
        REDIS_URL,
        QUEUE_PREFIX,
        LINK_SECRET: randomBytes(32).toString('base64url'),
        SMTP_URL: 'smtp://127.0.0.1:9',
        PUBLIC_CACHE_ENTRIES: '0',
      },
      { bare: true },
    );
    const country = '/v1/workstreams?q=Malaysia';
    const first = (await (await fetch(`${api.baseUrl}${country}`)).json()) as { items?: unknown[] };
    if (!Array.isArray(first.items) || first.items.length === 0) throw new Error(`${country} found nothing`);
    await api.setBareBody(first);

    let next = 0;
    const routes: Route[] = [
      { name: 'GET /v1/bench/bare (constant)', path: () => '/v1/bench/bare' },
      { name: 'GET /v1/workstreams?q=<number>', path: () => `/v1/workstreams?q=${1 + (next++ * 7919) % N}` },
      { name: 'GET /v1/workstreams?q=Malaysia', path: () => country },
      { name: 'GET /v1/workstreams?q="coastal radars" Malaysia', path: () => `/v1/workstreams?q=${encodeURIComponent('"coastal radars" Malaysia')}` },
    ];
    for (const route of routes) if (WARMUP > 0) await load(api, route, WARMUP, null);
    const totals = routes.map(() => ({ requests: 0, seconds: 0, latencies: [] as number[] }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, route] of routes.entries()) {
        const run = await load(api, route, DURATION / ROUNDS, totals[i].latencies);
        totals[i].requests += run.requests;
        totals[i].seconds += run.seconds;
      }
    }
    const results = routes.map((route, i) => ({ route: route.name, rps: totals[i].requests / totals[i].seconds, ...percentiles(totals[i].latencies) }));
    const [bare, ...searches] = results;
    console.log('');
    console.log('| route | req/s | p50 ms | p99 ms | ratio to bare |');
    console.log('|---|---|---|---|---|');
    for (const r of results) console.log(`| ${r.route} | ${Math.round(r.rps)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.rps / bare.rps).toFixed(2)} |`);
    console.log('');
    const slowest = searches.reduce((a, b) => (b.rps < a.rps ? b : a));
    const worstP99 = Math.max(...searches.map((r) => r.p99));
    log(`slowest: ${slowest.route}, ratio ${(slowest.rps / bare.rps).toFixed(2)} (goal ≥ 0.5); worst p99 ${worstP99.toFixed(1)} ms (goal < 50)`);
    printResult({
      name: 'search',
      value: slowest.rps,
      unit: 'req/s',
      baseline: bare.rps,
      ratio: slowest.rps / bare.rps,
      p99Ms: Number(worstP99.toFixed(1)),
      route: slowest.route,
      workstreams: N,
      connections: CONNECTIONS,
    });
  } finally {
    await api?.stop();
    await deleteQueueKeys(REDIS_URL, QUEUE_PREFIX).catch((e: Error) => log(`could not delete queue keys: ${e.message}`));
    if (process.env.BENCH_KEEP_DB) console.error(`[bench:search] kept ${DB_NAME} (BENCH_KEEP_DB): drop it when done`);
    else await dropScratchDatabase(DB_NAME).catch((e: Error) => log(`could not drop ${DB_NAME}: ${e.message}`));
  }
}

runBench(main);
