/**
 * Pages benchmark (issue 10): requests per second and latency of the public HTML pages — the home
 * page, a country page and a workstream page over the seeded data — against a bare Nest route
 * that answers a constant HTML body of the same size, in the same run, with autocannon at 64
 * connections. Both servers are child processes (the built API as `npm start` runs it, and
 * bench/support/bare-html-server.ts), so the load generator does not share their event loop.
 * Goal: each page ≥ 0.5 × the bare route's requests per second, p99 < 50 ms.
 *
 *   npm run bench:pages
 *
 * Knobs (environment): BENCH_DURATION (seconds per run, 10), BENCH_CONNECTIONS (64),
 * BENCH_SKIP_BUILD=1 (reuse dist/ from a previous `nest build api`).
 *
 * What it makes is its own and removed at the end: a scratch database, a queue prefix, two processes.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { createScratchDatabase, deleteQueueKeys, dropScratchDatabase, printResult, ROOT, stopWorker } from './support/harness';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `pw_bench_pages_${RUN}`;
const QUEUE_PREFIX = `bench-pages-${RUN.replace(/_/g, '-')}`;
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const TSX = require.resolve('tsx/cli', { paths: [ROOT] });

const log = (message: string) => console.log(`[bench:pages] ${message}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Run {
  name: string;
  url: string;
  rps: number;
  p50: number;
  p99: number;
  bytes: number;
}

async function load(name: string, url: string, duration = DURATION): Promise<Run> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers: { accept: 'text/html' } });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const run = { name, url, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, bytes: result.throughput.average / result.requests.average };
  log(`${name.padEnd(11)} ${run.rps.toFixed(0).padStart(6)} req/s   p50 ${run.p50} ms   p99 ${run.p99} ms   (${url})`);
  return run;
}

async function main() {
  if (process.env.BENCH_SKIP_BUILD !== '1' || !existsSync(API_MAIN)) {
    log('building the API (nest build api)…');
    execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] }), 'build', 'api'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  log(`scratch database ${DB_NAME}: migrate and seed…`);
  const databaseUrl = createScratchDatabase(DB_NAME);
  execFileSync(process.execPath, [TSX, 'prisma/seed.ts'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'ignore', 'inherit'] });

  const [apiPort, barePort] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  try {
    const api = spawn(process.execPath, ['--enable-source-maps', '--max-old-space-size=512', API_MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        LINK_SECRET: randomBytes(48).toString('base64'),
        DATABASE_URL: databaseUrl,
        REDIS_URL,
        QUEUE_PREFIX,
        PORT: String(apiPort),
        PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(api);
    const apiBase = `http://127.0.0.1:${apiPort}`;
    await waitFor(`${apiBase}/v1/status`, api);

    const targets = [
      ['home', `${apiBase}/`],
      ['country', `${apiBase}/countries/PH`],
      ['workstream', `${apiBase}/workstreams/official-security-assistance-philippines`],
    ] as const;
    const sizes = await Promise.all(targets.map(async ([, url]) => (await (await fetch(url)).text()).length));
    const bareBytes = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
    log(`page sizes ${sizes.join(', ')} bytes; the bare route answers ${bareBytes} bytes`);

    const bare = spawn(process.execPath, ['--max-old-space-size=512', TSX, 'bench/support/bare-html-server.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', PORT: String(barePort), BARE_BYTES: String(bareBytes) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(bare);
    const bareUrl = `http://127.0.0.1:${barePort}/bare`;
    await waitFor(bareUrl, bare);

    log(`warming up (2 s each), then ${DURATION} s per run at ${CONNECTIONS} connections`);
    for (const [name, url] of [['bare', bareUrl], ...targets] as const) await load(`warm-${name}`, url, 2);
    // Interleaved: bare, page, bare, page, …, bare. Each page is compared with the mean of the bare
    // runs either side of it, so a machine whose load drifts during the run skews the ratio less.
    const bareRuns: Run[] = [await load('bare', bareUrl)];
    const pages: (Run & { baseline: number })[] = [];
    for (const [name, url] of targets) {
      const run = await load(name, url);
      bareRuns.push(await load('bare', bareUrl));
      pages.push({ ...run, baseline: (bareRuns[bareRuns.length - 2].rps + bareRuns[bareRuns.length - 1].rps) / 2 });
    }
    const baseline = bareRuns.reduce((sum, run) => sum + run.rps, 0) / bareRuns.length;

    // A render the page cache has not seen: one request each after the cache's 5 s have passed.
    await new Promise((r) => setTimeout(r, 5_500));
    const cold: Record<string, number> = {};
    for (const [name, url] of targets) {
      const start = performance.now();
      await (await fetch(url)).text();
      cold[name] = Math.round(performance.now() - start);
    }
    log(`uncached render, one request each: ${Object.entries(cold).map(([n, ms]) => `${n} ${ms} ms`).join(', ')}`);

    const ratios = pages.map((page) => ({ ...page, ratio: page.rps / page.baseline }));
    for (const page of ratios) {
      const met = page.ratio >= 0.5 && page.p99 < 50;
      log(`${page.name}: ${page.ratio.toFixed(2)} × bare (goal ≥ 0.5), p99 ${page.p99} ms (goal < 50): ${met ? 'met' : 'MISSED'}`);
    }
    const worst = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    printResult({
      name: 'pages',
      value: worst.rps,
      unit: 'req/s',
      baseline: worst.baseline,
      ratio: worst.ratio,
      worstPage: worst.name,
      ...Object.fromEntries(ratios.flatMap((p) => [[`${p.name}Rps`, Math.round(p.rps)], [`${p.name}Ratio`, Number(p.ratio.toFixed(3))], [`${p.name}P99Ms`, p.p99]])),
      bareRps: Math.round(baseline),
      bareP99Ms: Math.max(...bareRuns.map((run) => run.p99)),
      connections: CONNECTIONS,
      durationS: DURATION,
    });
  } finally {
    for (const child of children) await stopWorker(child);
    await deleteQueueKeys(REDIS_URL, QUEUE_PREFIX);
    await dropScratchDatabase(DB_NAME);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
