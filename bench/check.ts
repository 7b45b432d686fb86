/**
 * Status check benchmark (issue 3): 100,000 open workstreams × 5 milestones (a mix of stages,
 * statuses and due dates around asOf) in a scratch database. Times one full check — the check's
 * whole transaction: overdue flips and their events, health recompute and its events, the run row —
 * on its first run, when nearly every workstream changes; and, in the same run over the same rows,
 * one bare SQL query that classifies every workstream into the same health values and writes
 * nothing (the floor for this work). Prints both, their ratio, and the check's steady state (a
 * second run after VACUUM, as the next hourly run would find it: nothing to change).
 *
 *   npm run bench:check
 *
 * Knobs (environment): BENCH_WORKSTREAMS (100000), DATABASE_URL (the server; default local),
 * BENCH_KEEP_DB=1 (keep the scratch database, after the runs, for EXPLAIN ANALYZE).
 * The scratch database is created, migrated with scripts/db.ts, and dropped at the end. Dispatching
 * the events to Redis happens after commit and is not part of the timed check.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { loadConfig } from '../libs/config/src/config';
import { PrismaClient, type PrismaService } from '../libs/database/src';
import type { EventsDispatcher } from '../libs/events/src/events.dispatcher';
import { StatusCheckService } from '../libs/status/src/status-check.service';
import { createScratchDatabase, dropScratchDatabase, printResult, withClient } from './support/harness';

const N = Number(process.env.BENCH_WORKSTREAMS ?? 100_000);
const DB_NAME = `pw_bench_check_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const AS_OF = new Date('2026-11-28T07:00:00.000Z');
const WINDOWS = { warningDays: 14, graceDays: 7, stallDays: 180 };

const log = (message: string) => console.log(`[bench:check] ${message}`);

/**
 * Set-based generation, deterministic (hashes of the row number, no random()): stages mostly
 * active, creation and last progress spread over two years, due dates within ±250 days of asOf,
 * statuses as editors leave them (some already `overdue` from earlier checks), completions before
 * and after asOf.
 */
async function generate(client: pg.Client): Promise<void> {
  await client.query(`
    INSERT INTO "Summit" (id, slug, name, "startDate", "endDate", location)
    VALUES (gen_random_uuid(), 'bench', 'Bench summit', '2023-12-16', '2023-12-18', 'Tokyo')`);
  await client.query(
    `
    INSERT INTO "Workstream" (id, slug, title, summary, "summitId", instrument, stage, "createdAt", "updatedAt", "lastProgressAt")
    SELECT gen_random_uuid(), 'ws-' || g, 'Workstream ' || g, 'Generated for the benchmark.',
           (SELECT id FROM "Summit" WHERE slug = 'bench'), 'initiative',
           (ARRAY['implementation', 'implementation', 'implementation', 'implementation', 'implementation',
                  'pipeline', 'finalisation', 'closed', 'cancelled', 'suspended'])[1 + abs(hashint4(g)) % 10]::"Stage",
           $1::timestamp - make_interval(days => 30 + abs(hashint4(g + 1)) % 700, secs => abs(hashint4(g + 2)) % 86400),
           $1::timestamp,
           CASE WHEN abs(hashint4(g + 3)) % 4 = 0 THEN NULL
                ELSE $1::timestamp - make_interval(days => abs(hashint4(g + 4)) % 400, secs => abs(hashint4(g + 5)) % 86400) END
    FROM generate_series(1, $2::int) g`,
    [AS_OF.toISOString().replace('Z', ''), N],
  );
  await client.query(
    `
    INSERT INTO "Milestone" (id, "workstreamId", title, "dueDate", status, "completedOn", "dateBasis", position, "createdAt", "updatedAt")
    SELECT gen_random_uuid(), m.id, 'Milestone ' || m.p, m.due, m.status,
           CASE WHEN m.status = 'completed' THEN m.due + (m.h % 40) - 20 END,
           (ARRAY['sourced', 'planned', 'assumed'])[1 + m.h % 3]::"DateBasis",
           m.p, $1::timestamp, $1::timestamp
    FROM (
      SELECT w.id, p, $1::date + (abs(hashtext(w.slug || p)) % 500) - 250 AS due, abs(hashtext(w.slug || p || 'c')) AS h,
             (ARRAY['not_started', 'not_started', 'not_started', 'not_started', 'not_started', 'not_started',
                    'in_progress', 'in_progress', 'in_progress', 'in_progress', 'in_progress',
                    'completed', 'completed', 'completed', 'completed', 'completed', 'completed',
                    'deferred', 'cancelled', 'overdue'])[1 + abs(hashtext(w.slug || p || 's')) % 20]::"MilestoneStatus" AS status
      FROM "Workstream" w CROSS JOIN generate_series(1, 5) p
    ) m`,
    [AS_OF.toISOString().replace('Z', '')],
  );
  await client.query('VACUUM ANALYZE');
}

/**
 * The floor: one SELECT that classifies every open workstream as evaluateHealth does (same rules,
 * same windows, same asOf) and writes nothing — no reasons, no events, no updates.
 */
const BARE_QUERY = `
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
  SELECT health, count(*)::int AS n FROM (
    SELECT CASE
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
    WHERE w."archivedAt" IS NULL
  ) v GROUP BY health ORDER BY health`;

async function bare(client: pg.Client): Promise<{ ms: number; counts: Record<string, number> }> {
  const started = performance.now();
  const { rows } = await client.query<{ health: string; n: number }>(BARE_QUERY, [
    AS_OF.toISOString().slice(0, 10),
    AS_OF.toISOString().replace('Z', ''),
    WINDOWS.warningDays,
    WINDOWS.graceDays,
    WINDOWS.stallDays,
  ]);
  return { ms: performance.now() - started, counts: Object.fromEntries(rows.map((r) => [r.health, r.n])) };
}

async function main() {
  log(`scratch database ${DB_NAME}; ${N.toLocaleString('en')} workstreams × 5 milestones`);
  const url = createScratchDatabase(DB_NAME);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  try {
    await withClient(url, async (client) => {
      const started = performance.now();
      await generate(client);
      log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    });

    // The floor: warmed once, then the best of three (the check gets a warm cache as well), with
    // the same work_mem the check sets for its own transaction.
    const floor = await withClient(url, async (client) => {
      await client.query(`SET work_mem = '64MB'`);
      await bare(client);
      const runs = [await bare(client), await bare(client), await bare(client)];
      return runs.reduce((best, run) => (run.ms < best.ms ? run : best));
    });

    const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'error' });
    Object.assign(config, { healthWindows: WINDOWS });
    const noDispatch = { dispatchOccurredAt: async () => 0 } as unknown as EventsDispatcher;
    const check = new StatusCheckService(prisma as unknown as PrismaService, config, noDispatch);
    const params = { asOf: AS_OF, windows: WINDOWS };

    await prisma.$queryRaw`SELECT 1`; // connect outside the timing
    let started = performance.now();
    const first = await check.evaluate(params, null, 'bench');
    const checkMs = performance.now() - started;

    // The hourly steady state: nothing left to change, after autovacuum has tidied the first run.
    await prisma.$executeRawUnsafe('VACUUM ANALYZE');
    started = performance.now();
    const second = await check.evaluate(params, null, 'bench');
    const steadyMs = performance.now() - started;

    const stored = await prisma.$queryRaw<{ health: string; n: number }[]>`
      SELECT health::text, count(*)::int AS n FROM "Workstream" WHERE "archivedAt" IS NULL GROUP BY 1 ORDER BY 1`;
    const storedCounts = Object.fromEntries(stored.map((r) => [r.health, r.n]));
    const agree = JSON.stringify(storedCounts) === JSON.stringify(floor.counts);

    log(`health (check)      ${JSON.stringify(storedCounts)}`);
    log(`health (bare query) ${JSON.stringify(floor.counts)}${agree ? '  — identical' : '  — DIFFERENT'}`);
    log(
      `first check: ${first.checked.toLocaleString('en')} checked, ${first.milestonesOverdue.toLocaleString('en')} milestones overdue, ` +
        `${first.healthChanged.toLocaleString('en')} health changes, ${first.events.toLocaleString('en')} events in ${checkMs.toFixed(0)} ms`,
    );
    log(`bare classification query: ${floor.ms.toFixed(0)} ms`);
    log(`second check, after VACUUM (nothing to change): ${second.events} events in ${steadyMs.toFixed(0)} ms (ratio ${(steadyMs / floor.ms).toFixed(2)})`);
    log(`ratio check / bare: ${(checkMs / floor.ms).toFixed(2)}`);
    if (!agree) throw new Error('the check and the bare query disagree on the health values');
    printResult({ name: 'check', value: checkMs, unit: 'ms', baseline: floor.ms, ratio: checkMs / floor.ms });
  } finally {
    await prisma.$disconnect();
    if (process.env.BENCH_KEEP_DB) console.error(`[bench:check] kept ${DB_NAME} (BENCH_KEEP_DB): drop it when done`);
    else await dropScratchDatabase(DB_NAME);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
