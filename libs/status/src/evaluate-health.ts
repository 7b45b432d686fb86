import type { HealthWindows } from '@pledgewatch/config';
import { humanDateAt, humanDay, isoDay, onOrIn, type DatePrecision } from '@pledgewatch/dates';
import type { DateBasis, Health, MilestoneStatus, Stage } from '@pledgewatch/database';

/**
 * The health rules (docs/health.md). A verdict is a claim about the world, and a bad one needs
 * someone to have looked: missing records never turn a workstream red or purple on their own.
 * The same rules run in SQL over every workstream (status-check.sql.ts); a property test holds the
 * two together, rule and reason included.
 */

/** Bumped whenever a rule changes: the first check under new rules writes its changes quietly. */
export const HEALTH_RULES_VERSION = 3;

/** The reason a check writes when it re-judges a workstream under revised rules. */
export const RULES_REVISED_PREFIX = 'Health rules revised: ';

export interface HealthWorkstream {
  stage: Stage;
  /** Where the stall clock starts when no progress was ever recorded. */
  createdAt: Date;
  /**
   * When editors checked the workstream against its sources: explicit reviews and published changes.
   * Only those made by the instant asked about count.
   */
  reviews: readonly Date[];
}

export interface HealthMilestone {
  title?: string;
  /** Order among the workstream's milestones: breaks ties between equal dates. */
  position?: number;
  status: MilestoneStatus;
  dueDate: Date;
  /**
   * Where the due date comes from. Only an announced date (`sourced`, `planned`) that has passed can
   * put a workstream off track; a passed `assumed` date (the editors' estimate) makes it at risk at most.
   */
  dateBasis: DateBasis;
  datePrecision?: DatePrecision;
  actualStart?: Date | null;
  actualStartPrecision?: DatePrecision;
  completedOn: Date | null;
  completedOnPrecision?: DatePrecision;
}

/**
 * Which rule decided, as a stable code. Stored beside the health: a verdict that keeps its colour
 * but changes its ground ("within the grace period" → "awaiting review") rewrites its reason.
 */
export type HealthRule =
  | 'inactive'
  | 'complete:closed'
  | 'complete:done'
  | 'unknown:none'
  | 'off_track:reviewed'
  | 'at_risk:grace'
  | 'at_risk:awaiting'
  | 'at_risk:assumed'
  | 'at_risk:soon'
  | 'on_track:next'
  | 'on_track:progress'
  | 'stalled:reviewed'
  | 'unknown:unreviewed';

export interface HealthVerdict {
  health: Health;
  rule: HealthRule;
  reason: string;
  /**
   * The rule and what its reason rests on (the date it names, how many milestones are open, the
   * last review and progress), as stored in `Workstream.healthKey`: the check rewrites a reason
   * only when this changes, so it can tell a stale reason without composing every reason.
   */
  key: string;
  /** When the condition arose, where the rows say (a due date passing, a review); null when they do not. */
  since: Date | null;
}

const DAY_MS = 86_400_000;

/** Whole calendar days (UTC) from `a` to `b`; positive when b is later. */
export function daysBetween(a: Date, b: Date): number {
  const utcDay = (d: Date) => Math.floor(d.getTime() / DAY_MS);
  return utcDay(b) - utcDay(a);
}

const addDays = (d: Date, days: number) => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS + days * DAY_MS);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const label = (m: HealthMilestone) => (m.title ? `"${m.title}"` : 'A milestone');
const due = (m: HealthMilestone) => humanDateAt(m.dueDate.toISOString(), m.datePrecision);
const PRECISION_ORDER: Record<DatePrecision, number> = { day: 0, month: 1, quarter: 2, year: 3 };

/** The latest review made by `asOf`, or null. */
export function lastReviewAsOf(reviews: readonly Date[], asOf: Date): Date | null {
  let latest: Date | null = null;
  for (const r of reviews) if (r <= asOf && (!latest || r > latest)) latest = r;
  return latest;
}

/**
 * Completed as of `asOf`: a completion dated after `asOf` had not happened yet, which is what lets
 * "health as of 2024-06-30" be answered from today's rows.
 */
function completedAsOf(m: HealthMilestone, asOf: Date): boolean {
  return m.status === 'completed' && (m.completedOn === null || daysBetween(m.completedOn, asOf) >= 0);
}

const announced = (m: HealthMilestone) => m.dateBasis === 'sourced' || m.dateBasis === 'planned';
const byDue = (a: HealthMilestone, b: HealthMilestone) =>
  a.dueDate.getTime() - b.dueDate.getTime() || (a.position ?? 0) - (b.position ?? 0) || ((a.title ?? '') < (b.title ?? '') ? -1 : (a.title ?? '') > (b.title ?? '') ? 1 : 0);

export interface Progress {
  on: Date;
  precision: DatePrecision;
}

/**
 * The last progress recorded by `asOf`: the latest start or completion of a milestone that counts,
 * derived from the milestones themselves, so undoing a start undoes the progress. Of equal dates,
 * the more precise one.
 */
export function progressAsOf(milestones: readonly HealthMilestone[], asOf: Date): Progress | null {
  let best: Progress | null = null;
  const consider = (on: Date | null | undefined, precision: DatePrecision = 'day') => {
    if (!on || daysBetween(on, asOf) < 0) return;
    if (!best || on > best.on || (on.getTime() === best.on.getTime() && PRECISION_ORDER[precision] < PRECISION_ORDER[best.precision])) {
      best = { on, precision };
    }
  };
  for (const m of milestones) {
    if (m.status === 'cancelled') continue;
    consider(m.actualStart, m.actualStartPrecision);
    if (completedAsOf(m, asOf)) consider(m.completedOn, m.completedOnPrecision);
  }
  return best;
}

const progressText = (p: Progress | null) => (p ? `last progress ${humanDateAt(p.on.toISOString(), p.precision)}` : 'no progress recorded');

/**
 * The health of a workstream as of an instant (docs/health.md); the first rule that applies wins. Dates compare as
 * UTC calendar days: a milestone due today is not overdue; overdue by exactly the grace period is
 * still within it; due in exactly the warning window is due soon. A date known to the month (or
 * quarter, year) is stored as the period's last day, so it is overdue only once the period ended.
 */
export function evaluateHealth(
  workstream: HealthWorkstream,
  milestones: readonly HealthMilestone[],
  asOf: Date,
  windows: HealthWindows,
): HealthVerdict {
  const counting = milestones.filter((m) => m.status !== 'cancelled');
  const facts: Facts = {
    counting,
    open: counting.filter((m) => !completedAsOf(m, asOf)),
    progress: progressAsOf(counting, asOf),
    review: lastReviewAsOf(workstream.reviews, asOf),
  };
  const { verdict, named } = judge(workstream, facts, asOf, windows);
  const key = [verdict.rule, named ? isoDay(named) : '', facts.open.length, facts.review ? isoDay(facts.review) : '', facts.progress ? isoDay(facts.progress.on) : ''].join('|');
  return { ...verdict, key };
}

/** What the rules read, derived once from the workstream's milestones and reviews as of the instant. */
interface Facts {
  counting: HealthMilestone[];
  open: HealthMilestone[];
  progress: Progress | null;
  review: Date | null;
}

/** The first rule that applies, and the due date its reason names (if any). */
function judge(
  workstream: HealthWorkstream,
  { counting, open, progress, review }: Facts,
  asOf: Date,
  windows: HealthWindows,
): { verdict: Omit<HealthVerdict, 'key'>; named?: Date } {
  if (workstream.stage === 'cancelled' || workstream.stage === 'suspended') {
    return { verdict: { health: 'inactive', rule: 'inactive', reason: `Stage is ${workstream.stage}.`, since: null } };
  }
  if (workstream.stage === 'closed') {
    return { verdict: { health: 'complete', rule: 'complete:closed', reason: 'Stage is closed.', since: null } };
  }

  // Done milestones make a workstream complete only when its stage says the work is wrapping up:
  // in pipeline or implementation, "all listed done" just means nothing further is listed yet.
  if (counting.length > 0 && open.length === 0 && workstream.stage === 'finalisation') {
    return {
      verdict: {
        health: 'complete',
        rule: 'complete:done',
        reason: `All ${plural(counting.length, 'milestone')} completed; stage is finalisation.`,
        since: progress?.on ?? null,
      },
    };
  }
  if (counting.length === 0) {
    return { verdict: { health: 'unknown', rule: 'unknown:none', reason: 'No milestones to measure against.', since: null } };
  }

  const reviewedOn = review ? humanDay(review.toISOString()) : null;
  const daysLate = (m: HealthMilestone) => daysBetween(m.dueDate, asOf);

  // A deferred milestone is open but never overdue: the editor's explicit "postponed".
  const overdue = open.filter((m) => m.status !== 'deferred' && daysLate(m) > 0).sort(byDue);
  const beyondGrace = (m: HealthMilestone) => daysLate(m) > windows.graceDays;
  const oldestAnnounced = overdue.find((m) => announced(m));
  // Off track needs someone to have looked after the date plus grace and found no outcome.
  if (oldestAnnounced && beyondGrace(oldestAnnounced) && review && daysBetween(oldestAnnounced.dueDate, review) > windows.graceDays) {
    return {
      verdict: {
        health: 'off_track',
        rule: 'off_track:reviewed',
        reason: `${label(oldestAnnounced)} was due ${due(oldestAnnounced)} (${oldestAnnounced.dateBasis} date); no outcome found at review on ${reviewedOn}.`,
        since: review,
      },
      named: oldestAnnounced.dueDate,
    };
  }
  if (oldestAnnounced && beyondGrace(oldestAnnounced)) {
    return {
      verdict: {
        health: 'at_risk',
        rule: 'at_risk:awaiting',
        reason: `${label(oldestAnnounced)} was due ${due(oldestAnnounced)} (${oldestAnnounced.dateBasis} date); no outcome recorded; awaiting review.`,
        since: addDays(oldestAnnounced.dueDate, windows.graceDays + 1),
      },
      named: oldestAnnounced.dueDate,
    };
  }
  const oldest = overdue[0];
  if (oldest && beyondGrace(oldest)) {
    return {
      verdict: {
        health: 'at_risk',
        rule: 'at_risk:assumed',
        reason: `${label(oldest)}: assumed date ${due(oldest)} passed; no outcome recorded (an assumed date is at risk at most).`,
        since: addDays(oldest.dueDate, 1),
      },
      named: oldest.dueDate,
    };
  }
  if (oldest) {
    return {
      verdict: {
        health: 'at_risk',
        rule: 'at_risk:grace',
        reason: `${label(oldest)} was due ${due(oldest)}: overdue, within the ${windows.graceDays}-day grace period.`,
        since: addDays(oldest.dueDate, 1),
      },
      named: oldest.dueDate,
    };
  }

  const dueSoon = open
    .filter((m) => m.status === 'not_started' && daysBetween(asOf, m.dueDate) >= 0 && daysBetween(asOf, m.dueDate) <= windows.warningDays)
    .sort(byDue)[0];
  if (dueSoon) {
    return {
      verdict: {
        health: 'at_risk',
        rule: 'at_risk:soon',
        reason: `${label(dueSoon)} is due ${due(dueSoon)} and not started.`,
        since: addDays(dueSoon.dueDate, -windows.warningDays),
      },
      named: dueSoon.dueDate,
    };
  }

  const next = open.filter((m) => daysBetween(asOf, m.dueDate) >= 0).sort(byDue)[0];
  if (next) {
    return {
      verdict: {
        health: 'on_track',
        rule: 'on_track:next',
        reason: `Next: ${label(next)}, due ${due(next)} (${next.dateBasis} date).`,
        since: null,
      },
      named: next.dueDate,
    };
  }
  const idle = daysBetween(progress?.on ?? workstream.createdAt, asOf);
  if (progress && idle < windows.stallDays) {
    return {
      verdict: {
        health: 'on_track',
        rule: 'on_track:progress',
        reason: `Progress recorded ${onOrIn(progress.precision)} ${humanDateAt(progress.on.toISOString(), progress.precision)}; nothing scheduled ahead.`,
        since: progress.on,
      },
    };
  }
  // Stalled needs a review since the stall window began that found no progress.
  if (idle >= windows.stallDays && review && daysBetween(review, asOf) < windows.stallDays) {
    return {
      verdict: {
        health: 'stalled',
        rule: 'stalled:reviewed',
        reason: `No progress found at review on ${reviewedOn}; ${progressText(progress)}; nothing scheduled ahead.`,
        since: review,
      },
    };
  }
  return {
    verdict: {
      health: 'unknown',
      rule: 'unknown:unreviewed',
      reason: `Nothing scheduled ahead; ${progressText(progress)}; ${reviewedOn ? `not reviewed since ${reviewedOn}` : 'never reviewed'}.`,
      // Unknown since the stall window ran out with nobody looking; a young workstream's cannot be dated.
      since: idle >= windows.stallDays ? addDays(progress?.on ?? workstream.createdAt, windows.stallDays) : null,
    },
  };
}
