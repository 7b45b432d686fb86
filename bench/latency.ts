/**
 * Alert latency benchmark (docs/benchmarks.md): what a subscriber waits for. The built API and the built
 * worker as child processes (the code `npm start` runs), a counting SMTP sink on loopback in a
 * third, and a scratch database with one reader who follows Malaysia plus 10,000 bystanders who
 * follow the Philippines (so the fan-out's match is not against an empty table).
 *
 *   1. editor → alert: an editor's `PATCH /v1/admin/milestones/{id}` `{ "status": "completed" }`,
 *      200 times over a pool of 20 Malaysian workstreams (a different milestone each time; one
 *      milestone of each is never touched, so completing the others never changes the workstream's
 *      health and each PATCH owes exactly one alert: `milestone.completed`). One at a time, the
 *      worker idle before each: time from the PATCH's response to the reader's alert accepted by
 *      the sink (outbox dispatch → events.fanout → delivery row → email.send → SMTP).
 *   2. subscribe → confirmation: `POST /v1/subscriptions` for a new address, 200 times, one at a
 *      time: time from the 202 to the confirmation email accepted by the sink — whichever process
 *      sends it (today the API, after commit; measured at the sink, so it holds when the worker's
 *      queue takes it over). Each request carries its own X-Forwarded-For (the API trusts a proxy
 *      on loopback), as behind a load balancer, so the per-client limit is not what is measured.
 *   3. the floor: one bare nodemailer send at a time to the same sink (pooled transport, as the
 *      worker's), from sendMail to accepted.
 *
 * Prints p50, p95, p99 and max of each; the RESULT line is the editor → alert p99 (goal < 1 s).
 * The time until the **last** of 100,000 subscribers of one event has its alert is the fan-out
 * benchmark's end-to-end time: `npm run bench:fanout` (its pipeline line).
 *
 *   npm run bench:latency
 *
 * Knobs (environment): BENCH_PATCHES (200), BENCH_SUBSCRIBES (200), BENCH_BYSTANDERS (10000),
 * BENCH_SKIP_BUILD=1 (reuse dist/), BENCH_WORKER_NODE_ARGS (as for bench:fanout).
 *
 * Everything it makes is its own and removed at the end: a scratch database, a queue prefix in
 * Redis, three child processes.
 */
import 'reflect-metadata';
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import nodemailer from 'nodemailer';
import { generateApiKey } from '@pledgewatch/auth';
import { smtpOptionsFromUrl } from '@pledgewatch/mail';
import { QUEUES, QueueBackend } from '@pledgewatch/queue';
import { ApiProcess, startApi } from './support/api-process';
import { Sink, startSink } from '../test/support/sink-process';
import { buildApp, createScratchDatabase, Percentiles, percentiles, benchQueues, printResult, sentDeliveries, startWorker, stopProcess, waitForWorkers, withClient, runBench, releaseQueuesAndDatabase } from './support/harness';

const PATCHES = Number(process.env.BENCH_PATCHES ?? 200);
const SUBSCRIBES = Number(process.env.BENCH_SUBSCRIBES ?? 200);
const BYSTANDERS = Number(process.env.BENCH_BYSTANDERS ?? 10_000);
const POOL = 20;
const SMTP_QUERY = process.env.BENCH_SMTP_QUERY ?? 'maxConnections=16&maxMessages=1000';
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `pw_bench_latency_${RUN}`;
const QUEUE_PREFIX = `bench-latency-${RUN.replace(/_/g, '-')}`;
/** One message that has not arrived by then fails the run instead of hanging it. */
const MESSAGE_TIMEOUT_MS = 60_000;

const log = (message: string) => console.log(`[bench:latency] ${message}`);
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const show = (name: string, s: Percentiles) => `${name}: n=${s.n} p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, max ${s.max} ms`;

/** Reference data, the editor's key, the reader and the bystanders: set-based SQL. Answers the key. */
async function seed(url: string): Promise<string> {
  const { key, hash, prefix } = generateApiKey();
  await withClient(url, async (db) => {
    await db.query(`INSERT INTO "Country" (code, name, "group") VALUES ('MY', 'Malaysia', 'asean'), ('PH', 'Philippines', 'asean')`);
    await db.query(`INSERT INTO "Sector" (slug, name) VALUES ('maritime-security', 'Maritime security')`);
    await db.query(
      `INSERT INTO "Summit" (id, slug, name, "startDate", "endDate", location)
       VALUES (gen_random_uuid(), 'bench-summit', 'Bench summit', '2023-12-16', '2023-12-18', 'Tokyo')`,
    );
    await db.query(`INSERT INTO "ApiKey" (id, name, role, "keyHash", prefix) VALUES (gen_random_uuid(), 'bench editor', 'editor', $1, $2)`, [hash, prefix]);
    await db.query(
      `INSERT INTO "Subscriber" (id, email, state, alerts, digest, "confirmedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), CASE WHEN i = 0 THEN 'reader@bench.example' ELSE 'bystander' || i || '@bench.example' END,
              'active', true, true, now(), now(), now()
       FROM generate_series(0, $1::int) AS i`,
      [BYSTANDERS],
    );
    await db.query(
      `INSERT INTO "Subscription" (id, "subscriberId", "countryCode", "createdAt")
       SELECT gen_random_uuid(), s.id, CASE WHEN s.email = 'reader@bench.example' THEN 'MY' ELSE 'PH' END, now() FROM "Subscriber" s`,
    );
    await db.query('ANALYZE');
  });
  return key;
}

async function call(api: ApiProcess, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(`${api.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** The pool, through the admin API (the app computes health and writes the creation events). Answers each workstream's completable milestone ids. */
async function createPool(api: ApiProcess, key: string): Promise<string[][]> {
  const perWorkstream = Math.ceil(PATCHES / POOL);
  const pool: string[][] = [];
  for (let w = 0; w < POOL; w++) {
    const { status, json } = await call(api, 'POST', '/v1/admin/workstreams', {
      title: `Coastal radar station ${w + 1} for the Malaysian Maritime Enforcement Agency`,
      summary: 'Japan provides coastal surveillance radars, their installation and crew training.',
      summit: 'bench-summit',
      countries: ['MY'],
      sectors: ['maritime-security'],
      instrument: 'osa',
      stage: 'implementation',
      milestones: [
        // Far enough ahead that nothing is due soon: completing the others leaves the health on_track.
        ...Array.from({ length: perWorkstream }, (_, m) => ({ title: `Radar unit ${m + 1} installed`, dueDate: day(60 + m) })),
        { title: 'Final acceptance', dueDate: day(400) },
      ],
    }, { Authorization: `Bearer ${key}` });
    if (status !== 201) throw new Error(`creating workstream ${w}: ${status} ${JSON.stringify(json)}`);
    pool.push((json.milestones as { id: string }[]).slice(0, perWorkstream).map((m) => m.id));
  }
  return pool;
}

/** Until no queue has a job waiting, active, delayed or prioritised. */
async function idle(queues: Queue[]): Promise<void> {
  for (;;) {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
    if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function withinTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no message at the sink within ${MESSAGE_TIMEOUT_MS / 1000} s`)), MESSAGE_TIMEOUT_MS);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * One request, then the next message at the sink: the sink is told to wait for it before the
 * request goes out. Answers ms from the response to the message's acceptance, and the request's own time.
 */
async function timed(sink: Sink, expectedTotal: number, what: string, request: () => Promise<number>): Promise<{ afterResponse: number; request: number }> {
  const arrived = sink.reached(expectedTotal);
  const sent = Date.now();
  const status = await request();
  const answered = Date.now();
  if (status >= 300) throw new Error(`${what}: HTTP ${status}`);
  const accepted = await withinTimeout(arrived, what);
  return { afterResponse: accepted - answered, request: answered - sent };
}

/** The floor: one pooled nodemailer send at a time, from sendMail to accepted. */
async function bareSends(sink: Sink, smtpUrl: string, base: number, count: number): Promise<number[]> {
  const transporter = nodemailer.createTransport(smtpOptionsFromUrl(smtpUrl), { from: 'Pledgewatch <alerts@pledgewatch.local>' });
  const samples: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const arrived = sink.reached(base + i + 1);
      const sent = Date.now();
      await transporter.sendMail({ to: `floor${i}@bench.example`, subject: 'Floor', text: 'A bare send.', html: '<p>A bare send.</p>' });
      samples.push((await withinTimeout(arrived, 'bare send')) - sent);
    }
  } finally {
    transporter.close();
  }
  return samples;
}

async function main() {
  buildApp('api', log);
  buildApp('worker', log);
  log(`scratch database ${DB_NAME}, queue prefix ${QUEUE_PREFIX}; ${PATCHES} PATCHes over ${POOL} workstreams, ${SUBSCRIBES} subscribes, ${BYSTANDERS.toLocaleString('en')} bystanders`);
  let sink: Sink | undefined;
  let worker: ChildProcess | undefined;
  let api: ApiProcess | undefined;
  const queues: Queue[] = [];
  let backend: QueueBackend | undefined;
  try {
    const databaseUrl = createScratchDatabase(DB_NAME);
    const key = await seed(databaseUrl);
    sink = await startSink();
    const smtpUrl = `smtp://127.0.0.1:${sink.port}?${SMTP_QUERY}`;
    const queueSetup = benchQueues(databaseUrl, QUEUE_PREFIX);
    backend = queueSetup.backend;
    await backend.prepare();
    log(`queues on ${backend.name}`);
    const env = { DATABASE_URL: databaseUrl, ...queueSetup.env, SMTP_URL: smtpUrl, LINK_SECRET: randomBytes(32).toString('base64url') };
    worker = startWorker(env);
    api = await startApi({ ...env, NODE_ENV: 'production' });
    queues.push(...Object.values(QUEUES).map((name) => backend!.queue(name)));
    await waitForWorkers(worker, queues.filter((q) => q.name === QUEUES.events || q.name === QUEUES.email));

    const pool = await createPool(api, key);
    await idle(queues);
    log(`pool of ${POOL} workstreams created through the admin API; worker idle`);

    // 1. editor → alert
    const alerts: number[] = [];
    const patches: number[] = [];
    let total = 0;
    for (let i = 0; i < PATCHES; i++) {
      const milestoneId = pool[i % POOL][Math.floor(i / POOL)];
      await idle(queues);
      const t = await timed(sink, ++total, `PATCH ${i + 1}`, async () =>
        (await call(api!, 'PATCH', `/v1/admin/milestones/${milestoneId}`, { status: 'completed' }, { Authorization: `Bearer ${key}` })).status,
      );
      alerts.push(t.afterResponse);
      patches.push(t.request);
    }
    const alertsSent = await sentDeliveries(databaseUrl, PATCHES, 'alert');
    if (alertsSent !== PATCHES) throw new Error(`expected ${PATCHES} alerts sent, found ${alertsSent}: a PATCH owed more or fewer than one`);

    // 2. subscribe → confirmation
    const confirmations: number[] = [];
    const subscribes: number[] = [];
    for (let i = 0; i < SUBSCRIBES; i++) {
      await idle(queues);
      const ip = `198.18.${Math.floor(i / 250)}.${1 + (i % 250)}`; // RFC 2544's benchmarking range
      const t = await timed(sink, ++total, `subscribe ${i + 1}`, async () =>
        (await call(api!, 'POST', '/v1/subscriptions', { email: `new${i}@bench.example`, countries: ['MY'] }, { 'X-Forwarded-For': ip })).status,
      );
      confirmations.push(t.afterResponse);
      subscribes.push(t.request);
    }

    // 3. the floor
    const floor = percentiles(await bareSends(sink, smtpUrl, total, Math.max(PATCHES, 1)));

    const alert = percentiles(alerts);
    log(show('editor PATCH → alert accepted by the sink (after the response)', alert));
    log(show('  the PATCH request itself', percentiles(patches)));
    log(show('subscribe 202 → confirmation accepted by the sink (after the response)', percentiles(confirmations)));
    log(show('  the subscribe request itself', percentiles(subscribes)));
    log(show('bare nodemailer send → accepted (the floor)', floor));
    log(`goal: alert p99 < 1000 ms — ${alert.p99 < 1000 ? 'met' : 'NOT met'}. The last of 100,000 subscribers of one event: npm run bench:fanout (its pipeline time).`);
    printResult({ name: 'latency', value: alert.p99, unit: 'ms', baseline: floor.p99, ratio: alert.p99 / Math.max(1, floor.p99), p99Ms: alert.p99 });
  } finally {
    await api?.stop();
    if (worker) await stopProcess(worker);
    sink?.stop();
    await releaseQueuesAndDatabase(backend, queues, DB_NAME, log);
  }
}

runBench(main);
