/**
 * Fan-out benchmark (docs/benchmarks.md): 100,000 confirmed subscribers follow one country; one event
 * touches it. Measures the time from dispatching the event's fan-out job until an SMTP sink on
 * loopback has accepted the 100,000th email — through the real worker (built app, child process:
 * fan-out processor, email.send processor, Postgres, Redis, pooled nodemailer) — and, in the same
 * run against the same sink, a bare pooled nodemailer loop sending 100,000 similar messages (the
 * floor nothing can beat). Prints both rates, their ratio and the worker's peak RSS.
 *
 *   npm run bench:fanout
 *
 * Knobs (environment): BENCH_SUBSCRIBERS (100000), BENCH_SMTP_QUERY (pool options passed to the
 * worker's and the bare loop's transport, e.g. `maxConnections=16&maxMessages=1000`),
 * QUEUE_BACKEND (redis, the default, or postgres), BENCH_SKIP_BUILD=1 (reuse dist/ from a previous `nest build worker`), BENCH_WORKER_NODE_ARGS
 * (node flags for the worker; default `--max-old-space-size=512`, as `npm start` and compose launch it).
 *
 * Everything it makes is its own and removed at the end: a scratch database, a unique queue
 * prefix (in Redis, or a schema in the scratch database with QUEUE_BACKEND=postgres), two child processes.
 */
import 'reflect-metadata';
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import { JOB_CATALOG, JOBS, QUEUES, QueueBackend } from '@pledgewatch/queue';
import { AlertFacts, alertTemplateData } from '@pledgewatch/alerts';
import { MailRenderer } from '@pledgewatch/mail';
import { bareSend, RenderedMail } from './support/bare-send';
import { Sink, startSink } from '../test/support/sink-process';
import { buildApp, benchQueues, createScratchDatabase, peakRssMb, printResult, sentDeliveries, startWorker, stopProcess, waitForWorkers, withClient, runBench, releaseQueuesAndDatabase } from './support/harness';

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const SMTP_QUERY = process.env.BENCH_SMTP_QUERY ?? 'maxConnections=16&maxMessages=1000';
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `pw_bench_fanout_${RUN}`;
const QUEUE_PREFIX = `bench-fanout-${RUN.replace(/_/g, '-')}`;

const log = (message: string) => console.log(`[bench:fanout] ${message}`);
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** Set-based: the subscribers and their subscriptions are two INSERT … SELECT over generate_series. */
async function seed(url: string): Promise<{ eventId: string }> {
  return withClient(url, async (db) => {
    await db.query(`INSERT INTO "Country" (code, name, "group") VALUES ('MY', 'Malaysia', 'asean') ON CONFLICT DO NOTHING`);
    await db.query(`INSERT INTO "Sector" (slug, name) VALUES ('maritime-security', 'Maritime security') ON CONFLICT DO NOTHING`);
    const summit = await db.query<{ id: string }>(
      `INSERT INTO "Summit" (id, slug, name, "startDate", "endDate", location)
       VALUES (gen_random_uuid(), 'bench-summit', 'Bench summit', '2023-12-16', '2023-12-18', 'Tokyo') RETURNING id`,
    );
    const ws = await db.query<{ id: string }>(
      `INSERT INTO "Workstream" (id, slug, title, summary, "summitId", instrument, stage, health, "updatedAt")
       VALUES (gen_random_uuid(), 'osa-surveillance-equipment', 'OSA surveillance equipment',
               'Coastal surveillance radars for the Malaysian Maritime Enforcement Agency.', $1, 'osa', 'implementation', 'off_track', now())
       RETURNING id`,
      [summit.rows[0].id],
    );
    const workstreamId = ws.rows[0].id;
    await db.query(`INSERT INTO "WorkstreamCountry" ("workstreamId", "countryCode") VALUES ($1, 'MY')`, [workstreamId]);
    await db.query(`INSERT INTO "WorkstreamSector" ("workstreamId", "sectorSlug") VALUES ($1, 'maritime-security')`, [workstreamId]);
    await db.query(
      `INSERT INTO "Subscriber" (id, email, state, alerts, digest, "confirmedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), 'reader' || i || '@bench.example', 'active', true, true, now(), now(), now()
         FROM generate_series(1, $1::int) AS i`,
      [N],
    );
    await db.query(
      `INSERT INTO "Subscription" (id, "subscriberId", "countryCode", "createdAt")
       SELECT gen_random_uuid(), s.id, 'MY', now() FROM "Subscriber" s`,
    );
    // dispatchedAt set: the outbox relay leaves it alone, the benchmark dispatches it itself.
    const event = await db.query<{ id: string }>(
      `INSERT INTO "Event" (id, type, "workstreamId", "from", "to", reason, actor, "occurredAt", notify, "dispatchedAt")
       VALUES (gen_random_uuid(), 'workstream.health_changed', $1, 'on_track', 'off_track',
               'Radar delivery milestone overdue by 9 days (grace period 7 days)', 'status-check', now(), true, now())
       RETURNING id`,
      [workstreamId],
    );
    await db.query('ANALYZE');
    return { eventId: event.rows[0].id };
  });
}

/** A run that stalls or whose worker dies fails within RUN_TIMEOUT_MS instead of hanging. */
const RUN_TIMEOUT_MS = 15 * 60_000;
function within<T>(work: Promise<T>, worker: ChildProcess | null, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${RUN_TIMEOUT_MS / 60_000} min`)), RUN_TIMEOUT_MS);
    const onExit = (code: number | null) => reject(new Error(`the worker exited (code ${code}) during ${what}`));
    worker?.once('exit', onExit);
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      worker?.off('exit', onExit);
    });
  });
}

/** One real alert, rendered once: the floor pays for no rendering, only for sending. */
function sampleAlert(): RenderedMail {
  const facts: AlertFacts = {
    eventId: 'bench',
    type: 'workstream.health_changed',
    from: 'on_track',
    to: 'off_track',
    reason: '"Radar delivery" was due 31 March 2026 (planned date); no outcome found at review on 20 April 2026.',
    actor: 'status-check',
    note: null,
    evidenceUrl: null,
    occurredAt: new Date(),
    workstream: { id: 'bench', slug: 'osa-surveillance-equipment', title: 'OSA surveillance equipment', health: 'off_track', healthReason: '' },
    countries: ['Malaysia'],
    milestone: null,
    siblings: [],
  };
  const base = 'http://localhost:3000/v1/subscriptions';
  const data = alertTemplateData(facts, { publicBaseUrl: 'http://localhost:3000', manageUrl: `${base}/manage?token=x`, unsubscribeUrl: `${base}/unsubscribe?token=x` });
  return { subject: data.subject, ...new MailRenderer().render('alert', data) };
}

async function main() {
  buildApp('worker', log);
  log(`scratch database ${DB_NAME}, queue prefix ${QUEUE_PREFIX}, ${N.toLocaleString('en')} subscribers`);
  let sink: Sink | undefined;
  let worker: ChildProcess | undefined;
  let backend: QueueBackend | undefined;
  const queues: Queue[] = [];
  try {
    const databaseUrl = createScratchDatabase(DB_NAME);
    const seedStart = Date.now();
    const { eventId } = await seed(databaseUrl);
    log(`seeded in ${seconds(Date.now() - seedStart)} s`);

    sink = await startSink();
    const smtpUrl = `smtp://127.0.0.1:${sink.port}?${SMTP_QUERY}`;

    const queueSetup = benchQueues(databaseUrl, QUEUE_PREFIX);
    backend = queueSetup.backend;
    await backend.prepare();
    log(`queues on ${backend.name}`);
    worker = startWorker({ DATABASE_URL: databaseUrl, ...queueSetup.env, SMTP_URL: smtpUrl, LINK_SECRET: randomBytes(32).toString('base64url') });
    const events = backend.queue(QUEUES.events);
    const email = backend.queue(QUEUES.email);
    queues.push(events, email);
    await waitForWorkers(worker, [events, email]);

    // --- the pipeline: dispatch → fan-out → N send jobs → N emails accepted
    const dispatchedAt = Date.now();
    await events.add(JOBS.eventsFanout, { eventId }, { ...JOB_CATALOG[JOBS.eventsFanout].options, jobId: eventId });
    const lastAccepted = await within(sink.reached(N), worker, 'the pipeline');
    const pipelineMs = lastAccepted - dispatchedAt;
    const rssMb = peakRssMb(worker.pid!);
    const fanoutMs = await withClient(databaseUrl, async (db) => {
      // createdAt holds UTC wall time in a timestamp column (Prisma's mapping): read it as UTC.
      const r = await db.query<{ last: string }>(`SELECT extract(epoch FROM max("createdAt") AT TIME ZONE 'UTC') * 1000 AS last FROM "Delivery"`);
      return Number(r.rows[0].last) - dispatchedAt;
    });
    const sent = await sentDeliveries(databaseUrl, N);
    await stopProcess(worker);
    const pipelineRate = N / (pipelineMs / 1000);
    log(`pipeline: ${N} emails in ${seconds(pipelineMs)} s = ${Math.round(pipelineRate)} msg/s; deliveries sent: ${sent}; worker peak RSS ${rssMb} MB`);
    log(`fan-out: the last of ${N} deliveries was created ${seconds(fanoutMs)} s after dispatch (sends start with the first batch)`);
    if (sent !== N) throw new Error(`expected ${N} deliveries sent, found ${sent}`);

    // --- the floor: a bare pooled nodemailer loop to the same sink
    const bareStart = Date.now();
    const bareDone = sink.reached(2 * N);
    await bareSend(smtpUrl, N, sampleAlert());
    const bareMs = (await within(bareDone, null, 'the bare loop')) - bareStart;
    const bareRate = N / (bareMs / 1000);
    log(`bare nodemailer: ${N} emails in ${seconds(bareMs)} s = ${Math.round(bareRate)} msg/s`);

    const ratio = pipelineRate / bareRate;
    log(`ratio ${ratio.toFixed(2)} (goal ≥ 0.9 on Redis, ≥ 0.4 on the PostgreSQL backend), worker peak RSS ${rssMb} MB (goal < 256), SMTP pool ${SMTP_QUERY}`);
    printResult({ name: 'fanout', value: pipelineRate, unit: 'msg/s', baseline: bareRate, ratio, peakRssMb: rssMb });
  } finally {
    if (worker) await stopProcess(worker);
    sink?.stop();
    await releaseQueuesAndDatabase(backend, queues, DB_NAME, log);
  }
}

runBench(main);
