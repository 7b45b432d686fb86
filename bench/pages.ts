/**
 * Pages benchmark (docs/benchmarks.md): requests per second and latency of the public HTML pages — the home
 * page, a country page, a workstream page, a search (/workstreams?q=) and /due over the seeded data — each against a bare Nest route
 * of the same built app answering that page's own HTML as a constant body (same size, no database,
 * no template, no cache), with autocannon at 64 connections, in the same run. The API runs as a
 * child process (bench/support/api-process.ts), so the load generator does not share its event loop.
 * Goal: each page ≥ 0.5 × the bare route's requests per second, p99 < 50 ms.
 *
 *   npm run bench:pages
 *
 * Knobs (environment): BENCH_DURATION (seconds per run, 10), BENCH_CONNECTIONS (64),
 * BENCH_SKIP_BUILD=1 (reuse dist/ from a previous `nest build api`).
 *
 * What it makes is its own and removed at the end: a scratch database, a queue prefix, one process.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { ApiProcess, startApi } from './support/api-process';
import { buildApp, createScratchDatabase, deleteQueueKeys, dropScratchDatabase, printResult, ROOT, runBench } from './support/harness';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `pw_bench_pages_${RUN}`;
const QUEUE_PREFIX = `bench-pages-${RUN.replace(/_/g, '-')}`;
const BARE_PATH = '/v1/bench/bare';

const log = (message: string) => console.log(`[bench:pages] ${message}`);

interface Run {
  rps: number;
  p50: number;
  p99: number;
}

async function load(name: string, url: string, duration = DURATION): Promise<Run> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers: { accept: 'text/html' } });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const run = { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
  if (duration === DURATION) log(`${name.padEnd(17)} ${run.rps.toFixed(0).padStart(6)} req/s   p50 ${run.p50} ms   p99 ${run.p99} ms`);
  return run;
}

async function main() {
  buildApp('api', log);
  log(`scratch database ${DB_NAME}: migrate and seed…`);
  const databaseUrl = createScratchDatabase(DB_NAME);
  execFileSync(process.execPath, [require.resolve('tsx/cli', { paths: [ROOT] }), 'prisma/seed.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let api: ApiProcess | undefined;
  try {
    api = await startApi(
      { NODE_ENV: 'production', DATABASE_URL: databaseUrl, REDIS_URL, QUEUE_PREFIX, LINK_SECRET: randomBytes(32).toString('base64url'), SMTP_URL: 'smtp://127.0.0.1:9' },
      { bare: true },
    );
    const pages = [
      ['home', '/'],
      ['country', '/countries/PH'],
      ['workstream', '/workstreams/official-security-assistance-philippines'],
      ['search', '/workstreams?q=coast+guard'],
      ['due', '/due'],
    ] as const;
    log(`${CONNECTIONS} connections, 2 s warm-up then ${DURATION} s per run; each page between two runs of the bare route answering its HTML`);

    const results = [];
    for (const [name, path] of pages) {
      const url = `${api.baseUrl}${path}`;
      const html = await (await fetch(url)).text();
      // A string answer is sent by Express as text/html: the page's bytes, nothing behind them.
      await api.setBareBody(html);
      const bareUrl = `${api.baseUrl}${BARE_PATH}`;
      if ((await (await fetch(bareUrl)).text()) !== html) throw new Error('the bare route does not answer the page');
      await load(`warm-bare`, bareUrl, 2);
      await load(`warm-${name}`, url, 2);
      const before = await load(`bare (${html.length} B)`, bareUrl);
      const page = await load(name, url);
      const after = await load(`bare (${html.length} B)`, bareUrl);
      const baseline = (before.rps + after.rps) / 2;
      results.push({ name, bytes: html.length, ...page, baseline, bareP99: Math.max(before.p99, after.p99), ratio: page.rps / baseline });
    }

    // A render the page cache has not seen: one request each after the cache's 5 s have passed.
    await new Promise((r) => setTimeout(r, 5_500));
    const cold: Record<string, number> = {};
    for (const [name, path] of pages) {
      const start = performance.now();
      await (await fetch(`${api.baseUrl}${path}`)).text();
      cold[name] = Math.round(performance.now() - start);
    }
    log(`uncached render, one request each: ${Object.entries(cold).map(([n, ms]) => `${n} ${ms} ms`).join(', ')}`);

    console.log('');
    console.log('| page | bytes | req/s | p50 ms | p99 ms | bare req/s (mean of 2) | bare p99 ms | ratio |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      console.log(`| ${r.name} | ${r.bytes} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${Math.round(r.baseline)} | ${r.bareP99} | ${r.ratio.toFixed(2)} |`);
    }
    console.log('');
    for (const r of results) {
      log(`${r.name}: ${r.ratio.toFixed(2)} × bare (goal ≥ 0.5), p99 ${r.p99} ms (goal < 50): ${r.ratio >= 0.5 && r.p99 < 50 ? 'met' : 'MISSED'}`);
    }
    const worst = results.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    printResult({
      name: 'pages',
      value: worst.rps,
      unit: 'req/s',
      baseline: worst.baseline,
      ratio: worst.ratio,
      worstPage: worst.name,
      ...Object.fromEntries(results.flatMap((r) => [[`${r.name}Ratio`, Number(r.ratio.toFixed(3))], [`${r.name}P99Ms`, r.p99]])),
      bareP99Ms: Math.max(...results.map((r) => r.bareP99)),
      connections: CONNECTIONS,
      durationS: DURATION,
    });
  } finally {
    await api?.stop();
    await deleteQueueKeys(REDIS_URL, QUEUE_PREFIX).catch((e: Error) => log(`could not delete queue keys: ${e.message}`));
    await dropScratchDatabase(DB_NAME).catch((e: Error) => log(`could not drop ${DB_NAME}: ${e.message}`));
  }
}

runBench(main);
