/**
 * Weekly digest benchmark (docs/benchmarks.md): 100,000 active subscribers spread over 24 time zones, the 12
 * countries and 11 sectors (country, sector, country × sector and country + sector topic sets),
 * 240 workstreams with milestones and a week of events. Every subscriber's weekday and hour is
 * chosen so that their digest falls due in the benchmark's slot (the current hour).
 *
 * Measures the time from enqueueing that slot's `digest.run` job until an SMTP sink on loopback
 * has accepted the 100,000th digest — through the real worker (built app, child process: the
 * digest.run processor's set-based inserts, email.send, the digest composer's shared content,
 * Handlebars, pooled nodemailer) — and, in the same run against the same sink, a bare pooled
 * nodemailer loop sending 100,000 copies of one digest of the same templates (the floor). Prints
 * both rates, their ratio and the worker's peak RSS.
 *
 *   npm run bench:digest
 *
 * Knobs (environment): BENCH_SUBSCRIBERS (100000), BENCH_SMTP_QUERY (pool options for both
 * senders, default `maxConnections=8&maxMessages=1000`), BENCH_SKIP_BUILD=1 (reuse dist/),
 * BENCH_WORKER_NODE_ARGS (node flags for the worker; default `--max-old-space-size=512`, as
 * `npm start` and compose launch it).
 *
 * Everything it makes is its own and removed at the end: a scratch database, a unique queue
 * prefix (in Redis, or a schema in the scratch database with QUEUE_BACKEND=postgres), two child processes.
 */
import 'reflect-metadata';
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Queue } from 'bullmq';
import type { AppConfig } from '@pledgewatch/config';
import { PrismaClient, PrismaService } from '@pledgewatch/database';
import { buildDigestContent, DigestContentRepository, digestTemplateData, hourSlot, wallHoursDueAt } from '@pledgewatch/digest';
import { MailRenderer } from '@pledgewatch/mail';
import { digestJobId, JOB_CATALOG, JOBS, QUEUES, QueueBackend } from '@pledgewatch/queue';
import { bareSend } from './support/bare-send';
import { COUNTRIES, SECTORS } from './support/workstreams';
import { Sink, startSink } from '../test/support/sink-process';
import { buildApp, benchQueues, createScratchDatabase, peakRssMb, printResult, sentDeliveries, startWorker, stopProcess, waitForWorkers, withClient, runBench, releaseQueuesAndDatabase } from './support/harness';

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const SMTP_QUERY = process.env.BENCH_SMTP_QUERY ?? 'maxConnections=8&maxMessages=1000';
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `pw_bench_digest_${RUN}`;
const QUEUE_PREFIX = `bench-digest-${RUN.replace(/_/g, '-')}`;
const WORKSTREAMS = 240;

const ZONES = [
  'UTC', 'Europe/London', 'Europe/Paris', 'Europe/Berlin', 'Africa/Nairobi', 'Asia/Dubai', 'Asia/Kolkata', 'Asia/Kathmandu',
  'Asia/Yangon', 'Asia/Bangkok', 'Asia/Jakarta', 'Asia/Ho_Chi_Minh', 'Asia/Manila', 'Asia/Singapore', 'Asia/Kuala_Lumpur',
  'Asia/Dili', 'Asia/Seoul', 'Asia/Tokyo', 'Australia/Sydney', 'Pacific/Auckland', 'America/Sao_Paulo', 'America/New_York',
  'America/Chicago', 'America/Los_Angeles',
];

const log = (message: string) => console.log(`[bench:digest] ${message}`);
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** Every zone's (weekday, hour) that falls due in `slot`: subscribers get those, so all are due together. */
function dueSchedules(slot: Date) {
  return ZONES.flatMap((timezone) => {
    const [due] = wallHoursDueAt(slot, timezone);
    return due ? [{ timezone, day: due.weekday, hour: due.hour }] : [];
  });
}

/** Set-based: each table is one INSERT … SELECT over generate_series. */
async function seed(url: string, slot: Date) {
  const schedules = dueSchedules(slot);
  await withClient(url, async (db) => {
    const at = slot.toISOString();
    await db.query(
      `INSERT INTO "Country" (code, name, "group") SELECT c, n, CASE WHEN c = 'JP' THEN 'partner' ELSE 'asean' END::"CountryGroup"
         FROM unnest($1::text[], $2::text[]) AS x(c, n)`,
      [COUNTRIES.map((c) => c[0]), COUNTRIES.map((c) => c[1])],
    );
    await db.query(`INSERT INTO "Sector" (slug, name) SELECT * FROM unnest($1::text[], $2::text[])`, [SECTORS.map((s) => s[0]), SECTORS.map((s) => s[1])]);
    const summit = await db.query<{ id: string }>(
      `INSERT INTO "Summit" (id, slug, name, "startDate", "endDate", location)
       VALUES (gen_random_uuid(), 'asean-japan-2023', 'ASEAN–Japan Commemorative Summit', '2023-12-16', '2023-12-18', 'Tokyo') RETURNING id`,
    );
    await db.query(
      `INSERT INTO "Workstream" (id, slug, title, summary, "summitId", instrument, stage, health, "healthReason", "healthSince", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), 'ws-' || i, 'Commitment ' || i || ': patrol vessels, radars and training for the coast guard',
              'A summit commitment tracked by the benchmark.', $1, 'initiative', 'implementation',
              (ARRAY['on_track', 'at_risk', 'off_track', 'stalled', 'on_track'])[1 + i % 5]::"Health",
              'Benchmark health reason for commitment ' || i, $2::timestamptz - (i % 90) * interval '1 day',
              '2023-12-18', now()
         FROM generate_series(1, ${WORKSTREAMS}) AS i`,
      [summit.rows[0].id, at],
    );
    const numbered = `WITH w AS (SELECT id, substring(slug FROM 4)::int AS i FROM "Workstream")`;
    await db.query(
      `${numbered}
       INSERT INTO "WorkstreamCountry" ("workstreamId", "countryCode")
       SELECT DISTINCT w.id, c FROM w CROSS JOIN LATERAL (VALUES (($1::text[])[1 + w.i % 12]), (($1::text[])[1 + (w.i * 7 + w.i / 12) % 12])) AS x(c)`,
      [COUNTRIES.map((c) => c[0])],
    );
    await db.query(
      `${numbered}
       INSERT INTO "WorkstreamSector" ("workstreamId", "sectorSlug")
       SELECT DISTINCT w.id, s FROM w CROSS JOIN LATERAL (VALUES (($1::text[])[1 + w.i % 11]), (($1::text[])[1 + (w.i * 5 + w.i / 11) % 11])) AS x(s)`,
      [SECTORS.map((s) => s[0])],
    );
    // Six milestones each: on time, late, overdue, two due within 30 days, one later.
    await db.query(
      `${numbered}, d AS (SELECT ($1::timestamptz AT TIME ZONE 'UTC')::date AS today)
       INSERT INTO "Milestone" (id, "workstreamId", title, "dueDate", "completedOn", status, "evidenceUrl", position, "createdAt", "updatedAt")
       SELECT gen_random_uuid(), w.id, m.title, m.due, m.done, m.status::"MilestoneStatus", m.evidence, m.position, now(), now()
         FROM w CROSS JOIN d CROSS JOIN LATERAL (VALUES
           (1, 'Notes exchanged', d.today - 400, d.today - 410, 'completed', 'https://www.mofa.go.jp/press/release/' || w.i),
           (2, 'Agreement signed', d.today - 200, d.today - 150, 'completed', NULL),
           (3, 'First delivery', d.today - (3 + w.i % 20), NULL::date, 'overdue', NULL),
           (4, 'Training programme starts', d.today + (1 + w.i % 29), NULL::date, 'not_started', NULL),
           (5, 'Second delivery', d.today + (w.i % 30), NULL::date, 'in_progress', NULL),
           (6, 'Programme review', d.today + 90, NULL::date, 'not_started', NULL)
         ) AS m(position, title, due, done, status, evidence)`,
      [at],
    );
    // A week of events before the slot: one or two per workstream (a busy week for a tracker).
    await db.query(
      `${numbered}
       INSERT INTO "Event" (id, type, "workstreamId", "milestoneId", "from", "to", reason, actor, "occurredAt", notify, "dispatchedAt")
       SELECT gen_random_uuid(), (ARRAY['workstream.health_changed', 'milestone.completed', 'milestone.rescheduled', 'milestone.added'])[1 + k % 4]::"EventType",
              w.id, CASE WHEN k % 4 = 1 THEN m.id END,
              (ARRAY['on_track', 'in_progress', '2026-11-01', NULL])[1 + k % 4], (ARRAY['at_risk', 'completed', '2026-12-15', NULL])[1 + k % 4],
              'Benchmark change ' || k || ' on commitment ' || w.i || ', as the editors recorded it', 'bench',
              $1::timestamptz - ((w.i * 13 + k * 97) % 10000) * interval '1 minute' - interval '1 minute', true, now()
         FROM w CROSS JOIN generate_series(1, 2) AS k
         JOIN "Milestone" m ON m."workstreamId" = w.id AND m.position = 1
        WHERE k = 1 OR w.i % 2 = 0`,
      [at],
    );
    await db.query(
      `INSERT INTO "Subscriber" (id, email, state, timezone, "digestDay", "digestHour", alerts, digest, "confirmedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), 'reader' || i || '@bench.example', 'active', ($2::text[])[1 + i % $5], ($3::"Weekday"[])[1 + i % $5], ($4::int[])[1 + i % $5],
              true, true, '2026-01-01', now(), now()
         FROM generate_series(1, $1::int) AS i`,
      [N, schedules.map((s) => s.timezone), schedules.map((s) => s.day), schedules.map((s) => s.hour), schedules.length],
    );
    // Topic sets: a country; a sector; a country × sector intersection; a country and a sector.
    await db.query(
      `WITH s AS (SELECT id, substring(email FROM 'reader(\\d+)@')::int AS i FROM "Subscriber")
       INSERT INTO "Subscription" (id, "subscriberId", "countryCode", "sectorSlug", "createdAt")
       SELECT gen_random_uuid(), s.id, t.c, t.sec, now()
         FROM s CROSS JOIN LATERAL (
           SELECT ($1::text[])[1 + (s.i / 4) % 12] AS c, NULL::text AS sec WHERE s.i % 4 IN (0, 3)
           UNION ALL SELECT NULL, ($2::text[])[1 + (s.i / 4) % 11] WHERE s.i % 4 = 1
           UNION ALL SELECT ($1::text[])[1 + (s.i / 4) % 12], ($2::text[])[1 + (s.i / 48) % 11] WHERE s.i % 4 = 2
           UNION ALL SELECT NULL, ($2::text[])[1 + (s.i / 48) % 11] WHERE s.i % 4 = 3
         ) AS t`,
      [COUNTRIES.map((c) => c[0]), SECTORS.map((s) => s[0])],
    );
    await db.query('ANALYZE');
  });
  return schedules.length;
}

/** One real digest of the scratch data (a one-country subscriber), rendered with the production templates. */
async function sampleDigest(databaseUrl: string, slot: Date) {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  try {
    const week = await new DigestContentRepository(prisma as unknown as PrismaService, { healthReviewDays: 90 } as AppConfig).loadWeek(slot);
    const content = buildDigestContent(week, { countries: ['PH'], sectors: [], intersections: [], workstreams: [] });
    const base = 'http://localhost:3000/v1/subscriptions';
    const data = digestTemplateData(content, 'Asia/Manila', {
      publicBaseUrl: 'http://localhost:3000',
      manageUrl: `${base}/manage?token=${randomBytes(40).toString('base64url')}`,
      unsubscribeUrl: `${base}/unsubscribe?token=${randomBytes(40).toString('base64url')}`,
    });
    return { subject: data.subject, ...new MailRenderer().render('digest', data) };
  } finally {
    await prisma.$disconnect();
  }
}

async function main() {
  buildApp('worker', log);
  const slot = hourSlot(new Date());
  log(`scratch database ${DB_NAME}, queue prefix ${QUEUE_PREFIX}, ${N.toLocaleString('en')} subscribers, slot ${slot.toISOString()}`);
  let sink: Sink | undefined;
  let worker: ChildProcess | undefined;
  let backend: QueueBackend | undefined;
  const queues: Queue[] = [];
  try {
    const databaseUrl = createScratchDatabase(DB_NAME);
    const seedStart = Date.now();
    const zones = await seed(databaseUrl, slot);
    const { topicSets, events } = await withClient(databaseUrl, async (db) => {
      const r = await db.query<{ topicSets: number; events: number }>(
        `SELECT (SELECT count(DISTINCT t)::int FROM (SELECT string_agg(coalesce("countryCode", '') || '/' || coalesce("sectorSlug", ''), ',' ORDER BY 1) AS t
                   FROM "Subscription" GROUP BY "subscriberId") x) AS "topicSets",
                (SELECT count(*)::int FROM "Event") AS events`,
      );
      return r.rows[0];
    });
    log(`seeded in ${seconds(Date.now() - seedStart)} s: ${zones} time zones, ${topicSets} distinct topic sets, ${WORKSTREAMS} workstreams, ${events} events this week`);

    sink = await startSink();
    const smtpUrl = `smtp://127.0.0.1:${sink.port}?${SMTP_QUERY}`;
    const queueSetup = benchQueues(databaseUrl, QUEUE_PREFIX);
    backend = queueSetup.backend;
    await backend.prepare();
    log(`queues on ${backend.name}`);
    worker = startWorker({ DATABASE_URL: databaseUrl, ...queueSetup.env, SMTP_URL: smtpUrl, LINK_SECRET: randomBytes(32).toString('base64url') });
    const digest = backend.queue(QUEUES.digest);
    const email = backend.queue(QUEUES.email);
    queues.push(digest, email);
    await waitForWorkers(worker, [digest, email]);

    // --- the pipeline: digest.run → N deliveries → N send jobs → N digests accepted
    const jobId = digestJobId(slot);
    const startedAt = Date.now();
    await digest.add(JOBS.digestRun, { slot: slot.toISOString() }, { ...JOB_CATALOG[JOBS.digestRun].options, jobId });
    const runDone = (async () => {
      for (;;) {
        const state = await digest.getJobState(jobId);
        if (state === 'completed') return Date.now();
        if (state === 'failed') throw new Error(`digest.run failed: ${(await digest.getJob(jobId))?.failedReason}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const lastAccepted = await sink.reached(N);
    const runMs = (await runDone) - startedAt;
    const pipelineMs = lastAccepted - startedAt;
    const rssMb = peakRssMb(worker.pid!);
    const sent = await sentDeliveries(databaseUrl, N, 'digest');
    await stopProcess(worker);
    const pipelineRate = N / (pipelineMs / 1000);
    log(`digest.run (${N} deliveries created and enqueued) took ${seconds(runMs)} s`);
    log(`pipeline: ${N} digests in ${seconds(pipelineMs)} s = ${Math.round(pipelineRate)} msg/s; deliveries sent: ${sent}; worker peak RSS ${rssMb} MB`);
    if (sent !== N) throw new Error(`expected ${N} digest deliveries sent, found ${sent}`);

    // --- the floor: a bare pooled nodemailer loop to the same sink, one digest of the same data
    const mail = await sampleDigest(databaseUrl, slot);
    log(`floor message: a one-country digest, html ${Math.round(mail.html.length / 1024)} KB + text ${Math.round(mail.text.length / 1024)} KB`);
    const bareStart = Date.now();
    const bareDone = sink.reached(2 * N);
    await bareSend(smtpUrl, N, mail);
    const bareMs = (await bareDone) - bareStart;
    const bareRate = N / (bareMs / 1000);
    log(`bare nodemailer: ${N} emails in ${seconds(bareMs)} s = ${Math.round(bareRate)} msg/s`);

    const ratio = pipelineRate / bareRate;
    log(`ratio ${ratio.toFixed(2)} (goal ≥ 0.8), worker peak RSS ${rssMb} MB (goal < 256), SMTP pool ${SMTP_QUERY}`);
    printResult({ name: 'digest', value: pipelineRate, unit: 'msg/s', baseline: bareRate, ratio, peakRssMb: rssMb });
  } finally {
    if (worker) await stopProcess(worker);
    sink?.stop();
    await releaseQueuesAndDatabase(backend, queues, DB_NAME, log);
  }
}

runBench(main);
