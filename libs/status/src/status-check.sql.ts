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
import { HEALTH_RULES_VERSION, RULES_REVISED_PREFIX } from './evaluate-health';

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
      RETURNING m.id, m."workstreamId", m.title, m."dueDate", m."datePrecision", due.status AS was
    )
    INSERT INTO "Event" (id, type, "workstreamId", "milestoneId", "from", "to", reason, actor, "occurredAt", notify)
    SELECT gen_random_uuid(), 'milestone.overdue', f."workstreamId", f.id, f.was::text, 'overdue',
           format('"%s" was due %s and is not completed.', f.title, ${humanDateSql(Prisma.sql`f."dueDate"`, Prisma.sql`f."datePrecision"`)}),
           ${STATUS_CHECK_ACTOR}, ${ts}, true
    FROM flipped f`;
}

/**
 * A date as far as it is known, in SQL: humanDateAt's twin (`3 March 2026`, `March 2028`, `Q1 2028`,
 * `2028`). Stored dates always sit at their period's end (the API refuses any other).
 */
function humanDateSql(date: Prisma.Sql, precision: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(CASE ${precision}::text
      WHEN 'month' THEN to_char(${date}, 'FMMonth YYYY')
      WHEN 'quarter' THEN 'Q' || to_char(${date}, 'Q YYYY')
      WHEN 'year' THEN to_char(${date}, 'YYYY')
      ELSE to_char(${date}, 'FMDD FMMonth YYYY') END)`;
}

/**
 * The health verdict of every open workstream as of asOf: evaluateHealth's rules, first match wins,
 * as a rule code (`at_risk:awaiting`) whose first part is the health. One pass over Milestone
 * aggregates what the rules need per workstream, and only that (the reasons' own figures are read
 * in reasonSql, for the few rows that change); a CASE applies the rules. The last review as of
 * asOf is the workstream's stamp when that is not later than asOf, else the newest Review by then
 * (only a check as of a past instant reads the Review table). Shared by the check (statement 2)
 * and by the dry run's preview.
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
             -- The next open milestone due today or later.
             min(m."dueDate") FILTER (WHERE m.status <> 'cancelled' AND NOT m.done AND m."dueDate" >= ${day}) AS next_due,
             -- Progress: the latest start or completion recorded by asOf, derived from the milestones.
             greatest(max(m."completedOn") FILTER (WHERE m.done),
                      max(m."actualStart") FILTER (WHERE m.status <> 'cancelled' AND m."actualStart" <= ${day})) AS progress_day
      FROM ${milestonesAsOf(params)}
      GROUP BY m."workstreamId"
    ),
    verdicts AS (
      SELECT w.id, w.health AS was, w."healthKey" AS was_key, w.stage, w."createdAt",
             p.counting, p.open, p.oldest_overdue, p.oldest_overdue_announced, p.due_soon, p.next_due, p.progress_day,
             CASE WHEN w."lastReviewedAt" IS NULL THEN NULL
                  WHEN w."lastReviewedAt" <= ${ts} THEN w."lastReviewedAt"
                  ELSE (SELECT max(r."reviewedAt") FROM "Review" r WHERE r."workstreamId" = w.id AND r."reviewedAt" <= ${ts})
             END AS review_at
      FROM "Workstream" w
      LEFT JOIN per_workstream p ON p.id = w.id
      WHERE w."archivedAt" IS NULL
    ),
    ruled AS (
      SELECT v.*,
             (CASE
                WHEN v.stage IN ('cancelled', 'suspended')          THEN 'inactive'
                WHEN v.stage = 'closed'                              THEN 'complete:closed'
                WHEN v.counting > 0 AND v.open = 0
                 AND v.stage = 'finalisation'                        THEN 'complete:done'
                WHEN coalesce(v.counting, 0) = 0                     THEN 'unknown:none'
                -- Off track needs a review after the date plus grace that found no outcome.
                WHEN ${day} - v.oldest_overdue_announced > ${grace}
                 AND v.review_at::date - v.oldest_overdue_announced > ${grace} THEN 'off_track:reviewed'
                WHEN ${day} - v.oldest_overdue_announced > ${grace}  THEN 'at_risk:awaiting'
                WHEN ${day} - v.oldest_overdue > ${grace}            THEN 'at_risk:assumed'
                WHEN v.oldest_overdue IS NOT NULL                    THEN 'at_risk:grace'
                WHEN v.due_soon IS NOT NULL                          THEN 'at_risk:soon'
                WHEN v.next_due IS NOT NULL                          THEN 'on_track:next'
                WHEN ${day} - v.progress_day < ${stall}              THEN 'on_track:progress'
                -- Stalled needs a review since the stall window began that found no progress.
                WHEN ${day} - coalesce(v.progress_day, v."createdAt"::date) >= ${stall}
                 AND ${day} - v.review_at::date < ${stall}           THEN 'stalled:reviewed'
                ELSE 'unknown:unreviewed'
              END) AS rule
      FROM verdicts v
    ),
    judged AS (
      SELECT r.*, split_part(r.rule, ':', 1)::"Health" AS health,
             -- evaluateHealth's key: the rule, the due date its reason names, open count, last review, last progress.
             concat_ws('|', r.rule,
                       coalesce(to_char(CASE
                         WHEN r.rule IN ('off_track:reviewed', 'at_risk:awaiting') THEN r.oldest_overdue_announced
                         WHEN r.rule IN ('at_risk:assumed', 'at_risk:grace') THEN r.oldest_overdue
                         WHEN r.rule = 'at_risk:soon' THEN r.due_soon
                         WHEN r.rule = 'on_track:next' THEN r.next_due
                       END, 'YYYY-MM-DD'), ''),
                       coalesce(r.open, 0),
                       coalesce(to_char(r.review_at, 'YYYY-MM-DD'), ''),
                       coalesce(to_char(r.progress_day, 'YYYY-MM-DD'), '')) AS key
      FROM ruled r
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
          SELECT "workstreamId", status, "dueDate", "completedOn", "dateBasis", "actualStart",
                 status = 'completed' AND ("completedOn" IS NULL OR "completedOn" <= ${day}) AS done
          FROM "Milestone"
        ) d
      ) m`;
}

/**
 * The reason for a verdict, computed only for the rows whose verdict changes: `j` is the judged
 * row, `pick` the milestone its rule names (the oldest overdue, the next due, …; by due date, then
 * position, then title) and `prog` its last progress with that date's precision. Word for word
 * evaluateHealth's reasons.
 */
function reasonSql(params: CheckParams): Prisma.Sql {
  const { grace } = bind(params);
  const due = humanDateSql(Prisma.sql`pick."dueDate"`, Prisma.sql`pick."datePrecision"`);
  const title = Prisma.sql`CASE WHEN pick.title IS NULL OR pick.title = '' THEN 'A milestone' ELSE '"' || pick.title || '"' END`;
  const reviewed = Prisma.sql`to_char(j.review_at, 'FMDD FMMonth YYYY')`;
  const progress = Prisma.sql`CASE WHEN prog.on_day IS NULL THEN 'no progress recorded'
                                   ELSE 'last progress ' || ${humanDateSql(Prisma.sql`prog.on_day`, Prisma.sql`prog.precision`)} END`;
  return Prisma.sql`
    CASE j.rule
      WHEN 'inactive' THEN format('Stage is %s.', j.stage)
      WHEN 'complete:closed' THEN 'Stage is closed.'
      WHEN 'complete:done' THEN format('All %s milestone%s completed; stage is finalisation.', j.counting, CASE WHEN j.counting = 1 THEN '' ELSE 's' END)
      WHEN 'unknown:none' THEN 'No milestones to measure against.'
      WHEN 'off_track:reviewed' THEN format('%s was due %s (%s date); no outcome found at review on %s.', ${title}, ${due}, pick."dateBasis", ${reviewed})
      WHEN 'at_risk:awaiting' THEN format('%s was due %s (%s date); no outcome recorded; awaiting review.', ${title}, ${due}, pick."dateBasis")
      WHEN 'at_risk:assumed' THEN format('%s: assumed date %s passed; no outcome recorded (an assumed date is at risk at most).', ${title}, ${due})
      WHEN 'at_risk:grace' THEN format('%s was due %s: overdue, within the %s-day grace period.', ${title}, ${due}, ${grace})
      WHEN 'at_risk:soon' THEN format('%s is due %s and not started.', ${title}, ${due})
      WHEN 'on_track:next' THEN format('Next: %s, due %s (%s date).', ${title}, ${due}, pick."dateBasis")
      WHEN 'on_track:progress' THEN format('Progress recorded %s %s; nothing scheduled ahead.',
                                           CASE WHEN prog.precision = 'day' THEN 'on' ELSE 'in' END,
                                           ${humanDateSql(Prisma.sql`prog.on_day`, Prisma.sql`prog.precision`)})
      WHEN 'stalled:reviewed' THEN format('No progress found at review on %s; %s; nothing scheduled ahead.', ${reviewed}, ${progress})
      ELSE format('Nothing scheduled ahead; %s; %s.', ${progress},
                  CASE WHEN j.review_at IS NULL THEN 'never reviewed' ELSE 'not reviewed since ' || ${reviewed} END)
    END`;
}

/** The milestone a changed verdict's reason names, and the last progress with its precision. */
function reasonInputsSql(params: CheckParams): Prisma.Sql {
  const { day, warning } = bind(params);
  return Prisma.sql`
      LEFT JOIN LATERAL (
        SELECT m.title, m."dueDate", m."datePrecision", m."dateBasis"
        FROM "Milestone" m
        WHERE m."workstreamId" = j.id AND m.status <> 'cancelled'
          AND NOT (m.status = 'completed' AND (m."completedOn" IS NULL OR m."completedOn" <= ${day}))
          AND CASE j.rule
                WHEN 'off_track:reviewed' THEN m.status <> 'deferred' AND m."dueDate" < ${day} AND m."dateBasis" IN ('sourced', 'planned')
                WHEN 'at_risk:awaiting'   THEN m.status <> 'deferred' AND m."dueDate" < ${day} AND m."dateBasis" IN ('sourced', 'planned')
                WHEN 'at_risk:assumed'    THEN m.status <> 'deferred' AND m."dueDate" < ${day}
                WHEN 'at_risk:grace'      THEN m.status <> 'deferred' AND m."dueDate" < ${day}
                WHEN 'at_risk:soon'       THEN m.status = 'not_started' AND m."dueDate" BETWEEN ${day} AND ${day} + ${warning}
                WHEN 'on_track:next'      THEN m."dueDate" >= ${day}
                ELSE false
              END
        ORDER BY m."dueDate", m.position, m.title COLLATE "C"
        LIMIT 1
      ) pick ON true
      LEFT JOIN LATERAL (
        SELECT x.on_day, x.precision
        FROM (
          SELECT m."completedOn" AS on_day, m."completedOnPrecision" AS precision
          FROM "Milestone" m
          WHERE m."workstreamId" = j.id AND m.status = 'completed' AND m."completedOn" <= ${day}
          UNION ALL
          SELECT m."actualStart", m."actualStartPrecision"
          FROM "Milestone" m
          WHERE m."workstreamId" = j.id AND m.status <> 'cancelled' AND m."actualStart" <= ${day}
        ) x
        ORDER BY x.on_day DESC, x.precision
        LIMIT 1
      ) prog ON j.rule IN ('on_track:progress', 'stalled:reviewed', 'unknown:unreviewed')`;
}

/**
 * Statement 2: recompute every open workstream's verdict; where its key (the rule and the dates its
 * reason rests on) differs from the stored one, store the new health, key and reason, and where the health itself differs, its since and
 * one `workstream.health_changed` event (from, to, reason). A verdict equal to the stored one writes
 * nothing, which is what makes a second run over unchanged data silent — and, since only the
 * differing rows reach the UPDATE, cheap: with none, the join ends at once. `w.health = j.was`
 * re-tests the row under its lock: an editor who changed the health since this statement's
 * snapshot wins, and the next check starts from their value. Under revised rules (`quiet`) the
 * events are recorded with notify off, their reason saying so: nobody is alerted by a rules change.
 * Answers how many workstreams were checked and how many changed health.
 */
export async function recomputeHealth(tx: Tx, params: CheckParams, options: { quiet?: boolean } = {}): Promise<{ checked: number; changed: number }> {
  const { ts } = bind(params);
  const quiet = options.quiet === true;
  const [row] = await tx.$queryRaw<{ checked: bigint; changed: bigint }[]>`
    WITH ${verdictsCte(params)},
    differing AS MATERIALIZED (
      SELECT * FROM judged j WHERE j.key IS DISTINCT FROM j.was_key OR j.health IS DISTINCT FROM j.was
    ),
    changed AS (
      UPDATE "Workstream" w
      SET health = j.health, "healthKey" = j.key, "healthReason" = ${reasonSql(params)},
          "healthSince" = CASE WHEN w.health = j.health THEN w."healthSince" ELSE ${ts} END
      FROM differing j
      ${reasonInputsSql(params)}
      WHERE w.id = j.id AND w.health = j.was
      RETURNING w.id, j.was, w.health, w."healthReason"
    ),
    written AS (
      INSERT INTO "Event" (id, type, "workstreamId", "from", "to", reason, actor, "occurredAt", notify)
      SELECT gen_random_uuid(), 'workstream.health_changed', c.id, c.was::text, c.health::text,
             CASE WHEN ${quiet} THEN ${RULES_REVISED_PREFIX} || c."healthReason" ELSE c."healthReason" END,
             ${STATUS_CHECK_ACTOR}, ${ts}, NOT ${quiet}
      FROM changed c
      WHERE c.health IS DISTINCT FROM c.was
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
    INSERT INTO "StatusCheckRun" (id, slot, "asOf", trigger, "startedAt", "finishedAt", checked, "milestonesOverdue", "healthChanged", events, "rulesVersion")
    VALUES (gen_random_uuid(), ${run.slot}, ${run.asOf.toISOString()}::timestamptz AT TIME ZONE 'UTC', ${run.trigger},
            ${run.startedAt.toISOString()}::timestamptz AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC',
            ${run.checked}::int, ${run.milestonesOverdue}::int, ${run.healthChanged}::int,
            ${run.milestonesOverdue + run.healthChanged}::int, ${HEALTH_RULES_VERSION}::int)`;
}

/**
 * Whether the rules changed since the last recorded run: its health changes are then the rules'
 * doing, not the world's, and are recorded without alerting anyone. A database with no run yet was
 * judged under the current rules (the seed applies them).
 */
export async function rulesRevisedSinceLastRun(tx: Tx): Promise<boolean> {
  const [last] = await tx.$queryRaw<{ rulesVersion: number }[]>`
    SELECT "rulesVersion" FROM "StatusCheckRun" ORDER BY "finishedAt" DESC LIMIT 1`;
  return last !== undefined && last.rulesVersion < HEALTH_RULES_VERSION;
}

/** Whether the scheduler's slot was already checked (by another replica, or before a retry). */
export async function slotAlreadyChecked(tx: Tx, slot: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "StatusCheckRun" WHERE slot = ${slot}`;
  return rows.length > 0;
}
