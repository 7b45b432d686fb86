/**
 * The status check in SQL: a few set-based statements over every open workstream (never a loop of per-row queries),
 * run in one transaction by StatusCheckService. They must agree with evaluateHealth() exactly
 * (status-check.property.int-spec.ts compares the two on random data); the reasons are shorter
 * and never mention "N days", so an unchanged verdict keeps an accurate reason without a rewrite.
 *
 * Conventions, as in evaluateHealth:
 * - calendar dates compare as UTC days: `day` is asOf's UTC date; a milestone due on `day` is not overdue;
 * - timestamps are stored as UTC in `timestamp(3)` columns (Prisma), so every instant is converted
 *   with `AT TIME ZONE 'UTC'`, never through the session time zone;
 * - "open" workstream = not archived; "counting" milestone = not cancelled; "done" = completed with
 *   no completion date or one on or before `day` (a completion after asOf had not happened yet);
 * - "announced" due date = date basis `sourced` or `planned`: only those make a workstream off track.
 */
import { Prisma } from '@pledgewatch/database';
import type { HealthWindows } from '@pledgewatch/config';
import { ALL_LISTED_DONE } from './evaluate-health';

type Tx = Prisma.TransactionClient;

export interface CheckParams {
  asOf: Date;
  windows: HealthWindows;
}

export const STATUS_CHECK_ACTOR = 'status-check';

/** Any constant: every check (and dry run) in the cluster takes the same transaction-scoped lock. */
const CHECK_LOCK_KEY = 0x5057_4348; // "PWCH"

/** Bind parameters shared by the statements: asOf as instant, as UTC wall clock, and as UTC day. */
function bind({ asOf, windows }: CheckParams) {
  const iso = asOf.toISOString();
  return {
    ts: Prisma.sql`(${iso}::timestamptz AT TIME ZONE 'UTC')`,
    day: Prisma.sql`(${iso}::timestamptz AT TIME ZONE 'UTC')::date`,
    grace: Prisma.sql`${windows.graceDays}::int`,
    warning: Prisma.sql`${windows.warningDays}::int`,
    stall: Prisma.sql`${windows.stallDays}::int`,
  };
}

/**
 * Per-transaction planner memory: the per-workstream aggregate over every milestone is one hash
 * table (about 25 MB at 100,000 workstreams); with the 4 MB default it spills or turns into a sort.
 */
export async function tuneForCheck(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT set_config('work_mem', '64MB', true)`;
}

/**
 * Serialises checks: two overlapping runs (the schedule and an editor's POST) would otherwise race
 * for the same rows and could deadlock. Released at commit or rollback.
 */
export async function lockChecks(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHECK_LOCK_KEY}::bigint)`;
}

/**
 * Statement 1: open milestones past their due date become `overdue`, one `milestone.overdue` event
 * each. Only `not_started`/`in_progress` flip, so a milestone raises it once: the next run finds it
 * `overdue` already. Deferred and cancelled never flip; completed ones are done. Milestones of a
 * closed, cancelled or suspended workstream are left alone: nobody should be alerted about them,
 * and if the workstream resumes, the next check flips them. The flip is a change of the milestone
 * like an editor's: its version rises (an editor's stale If-Match then fails; a calendar's SEQUENCE moves).
 *
 * `due` is materialised so the candidates are found once and the UPDATE then touches only them by
 * primary key. Most candidates are milestones of inactive workstreams, found and left alone every
 * hour (about 41,000 at 100,000 workstreams), so both sides of the join are read from indexes
 * alone: the candidates' ids and workstreams from the (status, dueDate, workstreamId, id) index,
 * the active workstreams from (archivedAt, stage, id) — no table scan of either once (auto)vacuum
 * has marked the pages all-visible: 55-65 ms at 100,000 workstreams, where the bitmap heap scan
 * plus Workstream scan took 145-165 ms. The status re-test in the UPDATE matters
 * under concurrency: if an editor completes the milestone between this statement's snapshot and its
 * row lock, Postgres re-checks the row and skips it. Answers the number of events written.
 */
export async function flipOverdueMilestones(tx: Tx, params: CheckParams): Promise<number> {
  const { ts, day } = bind(params);
  return tx.$executeRaw`
    WITH due AS MATERIALIZED (
      SELECT m.id, m.status
      FROM "Milestone" m
      JOIN "Workstream" w ON w.id = m."workstreamId"
      WHERE m.status IN ('not_started', 'in_progress')
        AND m."dueDate" < ${day}
        AND w."archivedAt" IS NULL
        AND w.stage IN ('pipeline', 'implementation', 'finalisation')
    ),
    flipped AS (
      UPDATE "Milestone" m
      SET status = 'overdue', version = m.version + 1, "updatedAt" = now() AT TIME ZONE 'UTC'
      FROM due
      WHERE m.id = due.id
        AND m.status IN ('not_started', 'in_progress')
        AND m."dueDate" < ${day}
      RETURNING m.id, m."workstreamId", m.title, m."dueDate", due.status AS was
    )
    INSERT INTO "Event" (id, type, "workstreamId", "milestoneId", "from", "to", reason, actor, "occurredAt", notify)
    SELECT gen_random_uuid(), 'milestone.overdue', f."workstreamId", f.id, f.was::text, 'overdue',
           format('"%s" was due %s and is not completed.', f.title, to_char(f."dueDate", 'YYYY-MM-DD')),
           ${STATUS_CHECK_ACTOR}, ${ts}, true
    FROM flipped f`;
}

/**
 * The health verdict of every open workstream as of asOf: evaluateHealth's rules, first match wins.
 * One pass over Milestone aggregates what the rules need per workstream, and only that (the reasons'
 * own figures are in reasonFiguresCte, for the few rows that change); a CASE applies the rules.
 * Shared by the check (statement 2) and by the dry run's preview.
 */
function verdictsCte(params: CheckParams): Prisma.Sql {
  const { ts, day, grace, warning, stall } = bind(params);
  return Prisma.sql`
    per_workstream AS (
      SELECT m."workstreamId" AS id,
             count(*) FILTER (WHERE m.status <> 'cancelled') AS counting,
             count(*) FILTER (WHERE m.status <> 'cancelled' AND NOT m.done) AS open,
             -- Overdue: open, not deferred (an editor's explicit postponement), due before today.
             min(m."dueDate") FILTER (WHERE m.late) AS oldest_overdue,
             -- Only a date someone announced can put a workstream off track; an assumed one, at risk at most.
             min(m."dueDate") FILTER (WHERE m.late AND m."dateBasis" IN ('sourced', 'planned')) AS oldest_overdue_announced,
             -- Due within the warning window (today included) and not started.
             min(m."dueDate") FILTER (WHERE m.status = 'not_started'
                                      AND m."dueDate" BETWEEN ${day} AND ${day} + ${warning}) AS due_soon,
             max(m."completedOn") FILTER (WHERE m.done) AS last_completed
      FROM ${milestonesAsOf(params)}
      GROUP BY m."workstreamId"
    ),
    verdicts AS (
      SELECT w.id, w.health AS was, w.stage, w."createdAt",
             p.counting, p.open, p.oldest_overdue, p.oldest_overdue_announced, p.due_soon,
             -- The stall clock starts at the latest progress by asOf (recorded mark or completion), else creation.
             greatest(CASE WHEN w."lastProgressAt" <= ${ts} THEN w."lastProgressAt" END,
                      p.last_completed::timestamp) AS progress_at
      FROM "Workstream" w
      LEFT JOIN per_workstream p ON p.id = w.id
      WHERE w."archivedAt" IS NULL
    ),
    judged AS (
      SELECT v.*,
             (CASE
                WHEN v.stage IN ('cancelled', 'suspended')          THEN 'inactive'
                WHEN v.stage = 'closed'                              THEN 'complete'
                WHEN v.counting > 0 AND v.open = 0
                 AND v.stage = 'finalisation'                        THEN 'complete'
                WHEN coalesce(v.counting, 0) = 0                     THEN 'unknown'
                WHEN ${day} - v.oldest_overdue_announced > ${grace}  THEN 'off_track'
                WHEN v.oldest_overdue IS NOT NULL
                  OR v.due_soon IS NOT NULL                          THEN 'at_risk'
                WHEN ${day} - coalesce(v.progress_at, v."createdAt")::date >= ${stall} THEN 'stalled'
                ELSE 'on_track'
              END)::"Health" AS health
      FROM verdicts v
    )`;
}

/**
 * Every milestone with what "as of asOf" makes of it: `done` (completed, by asOf) and `late` (open,
 * not deferred, due before asOf's day).
 */
function milestonesAsOf(params: CheckParams): Prisma.Sql {
  const { day } = bind(params);
  return Prisma.sql`(
        SELECT d.*, (d.status NOT IN ('cancelled', 'deferred') AND NOT d.done AND d."dueDate" < ${day}) AS late
        FROM (
          SELECT "workstreamId", status, "dueDate", "completedOn", "dateBasis",
                 status = 'completed' AND ("completedOn" IS NULL OR "completedOn" <= ${day}) AS done
          FROM "Milestone"
        ) d
      ) m`;
}

/**
 * The two figures only a reason needs — how many milestones are overdue (off track) and the next
 * due date (on track) — for the differing rows with those verdicts alone, instead of two more
 * aggregates over every milestone in the pass above. With no differing row (the hourly steady
 * state) it reads nothing; with a few, a few index lookups. A join rather than `IN (SELECT …)`:
 * the planner estimates an IN over a CTE at 200 distinct ids and picks an index lookup per row even
 * on a first check, when nearly every row differs (0.7 s more there at 100,000); joined, it hashes.
 */
function reasonFiguresCte(params: CheckParams): Prisma.Sql {
  return Prisma.sql`
    reason_figures AS (
      SELECT m."workstreamId" AS id,
             count(*) FILTER (WHERE m.late) AS overdue,
             min(m."dueDate") FILTER (WHERE m.status <> 'cancelled' AND NOT m.done) AS next_due
      FROM ${milestonesAsOf(params)}
      JOIN differing x ON x.id = m."workstreamId" AND x.health IN ('off_track', 'on_track')
      GROUP BY m."workstreamId"
    )`;
}

/**
 * The reason for a verdict, computed only for the rows whose health changes: `j` is the judged row,
 * `f` its reason_figures (null when its verdict needs none).
 */
function reasonSql(params: CheckParams): Prisma.Sql {
  const { day, grace, stall } = bind(params);
  return Prisma.sql`
    CASE j.health
      WHEN 'inactive' THEN format('Stage is %s.', j.stage)
      WHEN 'complete' THEN CASE WHEN j.stage = 'closed' THEN 'Stage is closed.'
                                -- Complete in finalisation: none open, so every counting milestone is done.
                                ELSE format('All %s milestone%s completed; stage is finalisation.', j.counting, CASE WHEN j.counting = 1 THEN '' ELSE 's' END) END
      WHEN 'unknown' THEN 'No milestones to measure against.'
      WHEN 'off_track' THEN format('%s milestone%s overdue; the oldest announced date was %s: no outcome recorded beyond the %s-day grace period.',
                                   f.overdue, CASE WHEN f.overdue = 1 THEN '' ELSE 's' END,
                                   to_char(j.oldest_overdue_announced, 'YYYY-MM-DD'), ${grace})
      WHEN 'at_risk' THEN CASE
                            -- Beyond grace and not off track: the oldest overdue date was an assumption.
                            WHEN ${day} - j.oldest_overdue > ${grace}
                              THEN format('A milestone''s assumed date %s passed; no outcome recorded (an assumed date is at risk at most).',
                                          to_char(j.oldest_overdue, 'YYYY-MM-DD'))
                            WHEN j.oldest_overdue IS NOT NULL
                              THEN format('A milestone was due %s: overdue, within the %s-day grace period.',
                                          to_char(j.oldest_overdue, 'YYYY-MM-DD'), ${grace})
                            ELSE format('A milestone is due %s and not started.', to_char(j.due_soon, 'YYYY-MM-DD'))
                          END
      WHEN 'stalled' THEN CASE WHEN j.progress_at IS NULL
                            THEN format('No progress recorded since creation (stall window %s days).', ${stall})
                            ELSE format('No progress recorded since %s (stall window %s days).', j.progress_at::date::text, ${stall}) END
      ELSE CASE WHEN j.open = 0 THEN ${ALL_LISTED_DONE}::text
                ELSE format('Next milestone due %s.', to_char(f.next_due, 'YYYY-MM-DD')) END
    END`;
}

/**
 * Statement 2: recompute every open workstream's health; where it differs, store the new health,
 * reason and since, and write one `workstream.health_changed` event (from, to, reason). A verdict
 * equal to the stored one writes nothing, which is what makes a second run over unchanged data
 * silent — and, since only the differing rows reach the UPDATE, cheap: with none, the join ends at
 * once (and so does reason_figures). `w.health = j.was` re-tests the row under its lock: an editor
 * who changed the health since this statement's snapshot wins, and the next check starts from their value.
 * Answers how many workstreams were checked and how many changed.
 */
export async function recomputeHealth(tx: Tx, params: CheckParams): Promise<{ checked: number; changed: number }> {
  const { ts } = bind(params);
  const [row] = await tx.$queryRaw<{ checked: bigint; changed: bigint }[]>`
    WITH ${verdictsCte(params)},
    differing AS MATERIALIZED (
      SELECT * FROM judged j WHERE j.health IS DISTINCT FROM j.was
    ),
    ${reasonFiguresCte(params)},
    changed AS (
      UPDATE "Workstream" w
      SET health = j.health, "healthReason" = ${reasonSql(params)}, "healthSince" = ${ts}
      FROM differing j
      LEFT JOIN reason_figures f ON f.id = j.id
      WHERE w.id = j.id AND w.health = j.was
      RETURNING w.id, j.was, w.health, w."healthReason"
    ),
    written AS (
      INSERT INTO "Event" (id, type, "workstreamId", "from", "to", reason, actor, "occurredAt", notify)
      SELECT gen_random_uuid(), 'workstream.health_changed', c.id, c.was::text, c.health::text, c."healthReason",
             ${STATUS_CHECK_ACTOR}, ${ts}, true
      FROM changed c
      RETURNING 1
    )
    -- Counting the open workstreams apart keeps judged referenced once, so it is never materialised;
    -- the count is an index-only scan of (archivedAt, stage, id) (once vacuumed), not a second pass over the table.
    SELECT (SELECT count(*) FROM "Workstream" WHERE "archivedAt" IS NULL) AS checked,
           (SELECT count(*) FROM written) AS changed`;
  return { checked: Number(row.checked), changed: Number(row.changed) };
}

export interface StatusChange {
  type: 'milestone.overdue' | 'workstream.health_changed';
  workstreamId: string;
  workstreamSlug: string;
  milestoneId: string | null;
  from: string | null;
  to: string | null;
  reason: string;
}

/**
 * For a dry run, inside the transaction that is about to roll back: the events this transaction
 * wrote (`xmin` is the writing transaction), at most `limit` of them.
 */
export async function eventsWrittenByThisTransaction(tx: Tx, params: CheckParams, limit: number): Promise<StatusChange[]> {
  const { ts } = bind(params);
  const rows = await tx.$queryRaw<(Omit<StatusChange, 'type'> & { type: string })[]>`
    SELECT e.type::text AS type, e."workstreamId", w.slug AS "workstreamSlug", e."milestoneId", e."from", e."to", e.reason
    FROM "Event" e
    JOIN "Workstream" w ON w.id = e."workstreamId"
    WHERE e."occurredAt" = ${ts} AND e.actor = ${STATUS_CHECK_ACTOR} AND e.xmin = pg_current_xact_id()::xid
    ORDER BY w.slug, e.type::text DESC, e."milestoneId"
    LIMIT ${limit}::int`;
  return rows as StatusChange[];
}

export async function recordRun(
  tx: Tx,
  run: { slot: string | null; trigger: string; asOf: Date; startedAt: Date; checked: number; milestonesOverdue: number; healthChanged: number },
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "StatusCheckRun" (id, slot, "asOf", trigger, "startedAt", "finishedAt", checked, "milestonesOverdue", "healthChanged", events)
    VALUES (gen_random_uuid(), ${run.slot}, ${run.asOf.toISOString()}::timestamptz AT TIME ZONE 'UTC', ${run.trigger},
            ${run.startedAt.toISOString()}::timestamptz AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC',
            ${run.checked}::int, ${run.milestonesOverdue}::int, ${run.healthChanged}::int,
            ${run.milestonesOverdue + run.healthChanged}::int)`;
}

/** Whether the scheduler's slot was already checked (by another replica, or before a retry). */
export async function slotAlreadyChecked(tx: Tx, slot: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "StatusCheckRun" WHERE slot = ${slot}`;
  return rows.length > 0;
}
