/**
 * Status check benchmark (docs/benchmarks.md): 100,000 open workstreams × 5 milestones (a mix of
 * stages, statuses and due dates around asOf) in a scratch database. Four figures in one run, over
 * the same generated rows:
 *
 *   1. read floor — one bare SELECT that classifies every open workstream into the same health
 *      values as the check and writes nothing (best of 3, warm, with the check's work_mem);
 *   2. write floor — the rows the first check writes, written as bare statements with no logic, in
 *      one transaction, on a byte-for-byte copy of the database (CREATE DATABASE … TEMPLATE): the
 *      same milestones set `overdue`, the same workstreams' health, reason and since, one event per
 *      change, the run row. Which rows, and their new values, are worked out beforehand, untimed;
 *   3. first check — the check's whole transaction on its first run, when nearly every workstream
 *      changes (overdue flips and their events, health recompute and its events, the run row);
 *   4. steady state — a second check after VACUUM, as the next hourly run finds it: nothing to change.
 *
 * Two RESULT lines: first check against read floor + write floor (goal ≤ 1.2×), then — last, the
 * line a reader of "the last RESULT" takes — steady state against the read floor (goal ≤ 1.5×): that
 * is what every hourly run costs; the first check happens once per data set.
 *
 *   npm run bench:check
 *
 * Knobs (environment): BENCH_WORKSTREAMS (100000), DATABASE_URL (the server; default local),
 * BENCH_KEEP_DB=1 (keep the scratch database, after the runs, for EXPLAIN ANALYZE).
 * The scratch databases are created (migrated with scripts/db.ts, then copied) and dropped at the
 * end. Dispatching the events to Redis happens after commit and is not part of the timed check.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '@pledgewatch/database';
import { cloneDatabase, createScratchDatabase, dropScratchDatabase, printResult, withClient, runBench } from './support/harness';
import { generateWorkstreams, statusCheck } from './support/workstreams';

const N = Number(process.env.BENCH_WORKSTREAMS ?? 100_000);
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `pw_bench_check_${RUN}`;
const COPY_NAME = `pw_bench_check_${RUN}_writes`;
const AS_OF = new Date('2026-11-28T07:00:00.000Z');
const WINDOWS = { warningDays: 14, graceDays: 7, stallDays: 180 };
/** $1 asOf's UTC day, $2 asOf as UTC wall clock, $3 warning, $4 grace, $5 stall. */
const PARAMS = [AS_OF.toISOString().slice(0, 10), AS_OF.toISOString().replace('Z', ''), WINDOWS.warningDays, WINDOWS.graceDays, WINDOWS.stallDays];

const log = (message: string) => console.log(`[bench:check] ${message}`);

/**
 * Every open workstream's id, stored health and health as evaluateHealth would judge it (same
 * rules, windows and asOf), with no reasons: the classification both floors start from.
 */
const CLASSIFY = `
  WITH m AS (
    SELECT "workstreamId" AS id,
           count(*) FILTER (WHERE status <> 'cancelled') AS counting,
           count(*) FILTER (WHERE status <> 'cancelled' AND NOT done) AS open,
           max($1::date - "dueDate") FILTER (WHERE status NOT IN ('cancelled', 'deferred') AND NOT done AND "dueDate" < $1::date) AS worst,
           max($1::date - "dueDate") FILTER (WHERE status NOT IN ('cancelled', 'deferred') AND NOT done AND "dueDate" < $1::date
                                               AND "dateBasis" IN ('sourced', 'planned')) AS worst_announced,
           bool_or(status = 'not_started' AND "dueDate" BETWEEN $1::date AND $1::date + $3::int) AS due_soon,
           max("completedOn") FILTER (WHERE done) AS last_done
    FROM (SELECT "workstreamId", status, "dueDate", "completedOn", "dateBasis",
                 status = 'completed' AND ("completedOn" IS NULL OR "completedOn" <= $1::date) AS done
          FROM "Milestone") x
    GROUP BY 1
  )
  SELECT w.id, w.health::text AS stored,
         CASE
           WHEN w.stage IN ('cancelled', 'suspended') THEN 'inactive'
           WHEN w.stage = 'closed' OR (m.counting > 0 AND m.open = 0 AND w.stage = 'finalisation') THEN 'complete'
           WHEN coalesce(m.counting, 0) = 0 THEN 'unknown'
           WHEN m.worst_announced > $4::int THEN 'off_track'
           WHEN m.worst IS NOT NULL OR m.due_soon THEN 'at_risk'
           WHEN $1::date - coalesce(greatest(CASE WHEN w."lastProgressAt" <= $2::timestamp THEN w."lastProgressAt" END,
                                             m.last_done::timestamp), w."createdAt")::date >= $5::int THEN 'stalled'
           ELSE 'on_track'
         END AS health
  FROM "Workstream" w LEFT JOIN m ON m.id = w.id
  WHERE w."archivedAt" IS NULL`;

/** Floor 1: the classification, counted — it writes nothing. */
const READ_FLOOR = `SELECT health, count(*)::int AS n FROM (${CLASSIFY}) v GROUP BY health ORDER BY health`;

async function readFloor(client: pg.Client): Promise<{ ms: number; counts: Record<string, number> }> {
  const started = performance.now();
  const { rows } = await client.query<{ health: string; n: number }>(READ_FLOOR, PARAMS);
  return { ms: performance.now() - started, counts: Object.fromEntries(rows.map((r) => [r.health, r.n])) };
}

/**
 * Floor 2, on the copy: first (untimed) which rows the first check writes and their new values —
 * the milestones it flips (open, past due, in a workstream at an active stage), the workstreams
 * whose classification differs from the stored health. Then, timed, one transaction of bare
 * statements writing exactly those rows into the same tables (same indexes, same foreign keys,
 * reasons of the same shape): no CTE chains, no re-tests, no classification.
 */
async function writeFloor(url: string): Promise<{ ms: number; milestones: number; workstreams: number }> {
  return withClient(url, async (db) => {
    await db.query(`
      CREATE TEMP TABLE flips AS
      SELECT m.id, m."workstreamId", m.title, m."dueDate", m.status::text AS was
      FROM "Milestone" m JOIN "Workstream" w ON w.id = m."workstreamId"
      WHERE m.status IN ('not_started', 'in_progress') AND m."dueDate" < $1::date
        AND w."archivedAt" IS NULL AND w.stage IN ('pipeline', 'implementation', 'finalisation')`,
      [PARAMS[0]],
    );
    await db.query(`CREATE TEMP TABLE changes AS SELECT id, stored, health FROM (${CLASSIFY}) v WHERE health <> stored`, PARAMS);
    await db.query('ANALYZE flips; ANALYZE changes');
    const ts = PARAMS[1];
    const started = performance.now();
    await db.query('BEGIN');
    const milestones = await db.query(`UPDATE "Milestone" m SET status = 'overdue', "updatedAt" = now() AT TIME ZONE 'UTC' FROM flips f WHERE m.id = f.id`);
    await db.query(
      `INSERT INTO "Event" (id, type, "workstreamId", "milestoneId", "from", "to", reason, actor, "occurredAt", notify)
       SELECT gen_random_uuid(), 'milestone.overdue', f."workstreamId", f.id, f.was, 'overdue',
              format('"%s" was due %s and is not completed.', f.title, to_char(f."dueDate", 'YYYY-MM-DD')), 'status-check', $1::timestamp, true
       FROM flips f`,
      [ts],
    );
    const workstreams = await db.query(
      `UPDATE "Workstream" w SET health = c.health::"Health", "healthReason" = 'A reason of the length the check writes: due 2026-11-28.', "healthSince" = $1::timestamp
       FROM changes c WHERE w.id = c.id`,
      [ts],
    );
    await db.query(
      `INSERT INTO "Event" (id, type, "workstreamId", "from", "to", reason, actor, "occurredAt", notify)
       SELECT gen_random_uuid(), 'workstream.health_changed', c.id, c.stored, c.health, 'A reason of the length the check writes: due 2026-11-28.',
              'status-check', $1::timestamp, true
       FROM changes c`,
      [ts],
    );
    await db.query(
      `INSERT INTO "StatusCheckRun" (id, slot, "asOf", trigger, "startedAt", "finishedAt", checked, "milestonesOverdue", "healthChanged", events)
       VALUES (gen_random_uuid(), NULL, $1::timestamp, 'bench', $1::timestamp, $1::timestamp, 0, 0, 0, 0)`,
      [ts],
    );
    await db.query('COMMIT');
    return { ms: performance.now() - started, milestones: milestones.rowCount ?? 0, workstreams: workstreams.rowCount ?? 0 };
  });
}

const ratioLine = (name: string, value: number, baseline: number, goal: number) =>
  `${name}: ${value.toFixed(0)} ms / ${baseline.toFixed(0)} ms = ${(value / baseline).toFixed(2)}× (goal ≤ ${goal}×)`;

async function main() {
  log(`scratch database ${DB_NAME}; ${N.toLocaleString('en')} workstreams × 5 milestones`);
  const url = createScratchDatabase(DB_NAME);
  let copyUrl: string | undefined;
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  try {
    await withClient(url, async (client) => {
      const started = performance.now();
      await generateWorkstreams(client, N, AS_OF);
      await client.query('VACUUM ANALYZE');
      log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    });
    // The copy for the write floor, taken while nothing is connected to the original.
    copyUrl = await cloneDatabase(DB_NAME, COPY_NAME);

    // 1. The read floor: warmed once, then the best of three (the check gets a warm cache as well),
    // with the same work_mem the check sets for its own transaction.
    const floor = await withClient(url, async (client) => {
      await client.query(`SET work_mem = '64MB'`);
      await readFloor(client);
      const runs = [await readFloor(client), await readFloor(client), await readFloor(client)];
      return runs.reduce((best, run) => (run.ms < best.ms ? run : best));
    });
    log(`1. read floor (bare classification, writes nothing): ${floor.ms.toFixed(0)} ms`);

    // 2. The write floor, on the copy; then the copy goes, so it shares no cache or I/O with the check.
    const writes = await writeFloor(copyUrl);
    await dropScratchDatabase(COPY_NAME);
    copyUrl = undefined;
    log(
      `2. write floor (bare statements, no logic): ${writes.milestones.toLocaleString('en')} milestones + ${writes.workstreams.toLocaleString('en')} workstreams ` +
        `updated, as many events inserted, in ${writes.ms.toFixed(0)} ms`,
    );

    const check = statusCheck(prisma, url, WINDOWS);
    const params = { asOf: AS_OF, windows: WINDOWS };

    // 3. The first check.
    await prisma.$queryRaw`SELECT 1`; // connect outside the timing
    let started = performance.now();
    const first = await check.evaluate(params, null, 'bench');
    const checkMs = performance.now() - started;
    log(
      `3. first check: ${first.checked.toLocaleString('en')} checked, ${first.milestonesOverdue.toLocaleString('en')} milestones overdue, ` +
        `${first.healthChanged.toLocaleString('en')} health changes, ${first.events.toLocaleString('en')} events in ${checkMs.toFixed(0)} ms`,
    );

    // 4. The hourly steady state: nothing left to change, after autovacuum has tidied the first run.
    await prisma.$executeRawUnsafe('VACUUM ANALYZE');
    started = performance.now();
    const second = await check.evaluate(params, null, 'bench');
    const steadyMs = performance.now() - started;
    log(`4. steady state (second check, after VACUUM): ${second.events} events in ${steadyMs.toFixed(0)} ms`);

    const stored = await prisma.$queryRaw<{ health: string; n: number }[]>`
      SELECT health::text, count(*)::int AS n FROM "Workstream" WHERE "archivedAt" IS NULL GROUP BY 1 ORDER BY 1`;
    const storedCounts = Object.fromEntries(stored.map((r) => [r.health, r.n]));
    const agree = JSON.stringify(storedCounts) === JSON.stringify(floor.counts);
    log(`health (check)      ${JSON.stringify(storedCounts)}`);
    log(`health (bare query) ${JSON.stringify(floor.counts)}${agree ? '  — identical' : '  — DIFFERENT'}`);
    if (!agree) throw new Error('the check and the bare query disagree on the health values');
    const sameWrites = writes.milestones === first.milestonesOverdue && writes.workstreams === first.healthChanged;
    if (!sameWrites) throw new Error(`the write floor wrote ${writes.milestones} + ${writes.workstreams} rows, the check ${first.milestonesOverdue} + ${first.healthChanged}`);

    const floors = floor.ms + writes.ms;
    log(ratioLine('first check / (read floor + write floor)', checkMs, floors, 1.2));
    log(ratioLine('steady state / read floor', steadyMs, floor.ms, 1.5));
    printResult({ name: 'check-first', value: checkMs, unit: 'ms', baseline: floors, ratio: checkMs / floors, readFloorMs: Math.round(floor.ms), writeFloorMs: Math.round(writes.ms) });
    printResult({ name: 'check-steady', value: steadyMs, unit: 'ms', baseline: floor.ms, ratio: steadyMs / floor.ms });
  } finally {
    await prisma.$disconnect();
    if (copyUrl) await dropScratchDatabase(COPY_NAME).catch((e: Error) => log(`could not drop ${COPY_NAME}: ${e.message}`));
    if (process.env.BENCH_KEEP_DB) console.error(`[bench:check] kept ${DB_NAME} (BENCH_KEEP_DB): drop it when done`);
    else await dropScratchDatabase(DB_NAME);
  }
}

runBench(main);
