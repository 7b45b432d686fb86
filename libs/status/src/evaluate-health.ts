import type { HealthWindows } from '@pledgewatch/config';
import type { DateBasis, Health, MilestoneStatus, Stage } from '@pledgewatch/database';

export interface HealthWorkstream {
  stage: Stage;
  /** The last progress an editor recorded (completion, start of work); null when none. */
  lastProgressAt: Date | null;
  /** Where the stall clock starts when no progress was ever recorded. */
  createdAt: Date;
}

export interface HealthMilestone {
  title?: string;
  status: MilestoneStatus;
  dueDate: Date;
  completedOn: Date | null;
  /**
   * Where the due date comes from. Only an announced date (`sourced`, `planned`) that has passed can
   * put a workstream off track; a passed `assumed` date (the editors' estimate) makes it at risk at most.
   */
  dateBasis: DateBasis;
}

export interface HealthVerdict {
  health: Health;
  reason: string;
}

const DAY_MS = 86_400_000;

/** Whole calendar days (UTC) from `a` to `b`; positive when b is later. */
export function daysBetween(a: Date, b: Date): number {
  const utcDay = (d: Date) => Math.floor(d.getTime() / DAY_MS);
  return utcDay(b) - utcDay(a);
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const label = (m: HealthMilestone) => (m.title ? `"${m.title}"` : 'a milestone');

/**
 * Completed as of `asOf`: a completion dated after `asOf` had not happened yet, which is what lets
 * "health as of 2024-06-30" be answered from today's rows.
 */
function completedAsOf(m: HealthMilestone, asOf: Date): boolean {
  return m.status === 'completed' && (m.completedOn === null || daysBetween(m.completedOn, asOf) >= 0);
}

/** The on-track reason of a workstream in pipeline or implementation whose listed milestones are all done. */
export const ALL_LISTED_DONE = 'Every listed milestone is done; no next milestone scheduled.';

const announced = (m: HealthMilestone) => m.dateBasis === 'sourced' || m.dateBasis === 'planned';

/**
 * The health of a workstream as of an instant (docs/health.md): the first rule that applies wins.
 * Dates compare as UTC calendar days: a milestone due today is not overdue; overdue by exactly the
 * grace period is still at risk; due in exactly the warning window is at risk.
 */
export function evaluateHealth(
  workstream: HealthWorkstream,
  milestones: HealthMilestone[],
  asOf: Date,
  windows: HealthWindows,
): HealthVerdict {
  if (workstream.stage === 'cancelled' || workstream.stage === 'suspended') {
    return { health: 'inactive', reason: `Stage is ${workstream.stage}.` };
  }
  if (workstream.stage === 'closed') {
    return { health: 'complete', reason: 'Stage is closed.' };
  }

  const counting = milestones.filter((m) => m.status !== 'cancelled');
  const open = counting.filter((m) => !completedAsOf(m, asOf));
  // Done milestones make a workstream complete only when its stage says the work is wrapping up:
  // in pipeline or implementation, "all listed done" just means nothing further is listed yet.
  if (counting.length > 0 && open.length === 0 && workstream.stage === 'finalisation') {
    return { health: 'complete', reason: `All ${plural(counting.length, 'milestone')} completed; stage is finalisation.` };
  }
  if (counting.length === 0) {
    return { health: 'unknown', reason: 'No milestones to measure against.' };
  }

  // A deferred milestone is open but never overdue: the editor's explicit "postponed".
  const overdue = open
    .filter((m) => m.status !== 'deferred')
    .map((m) => ({ m, days: daysBetween(m.dueDate, asOf) }))
    .filter(({ days }) => days > 0)
    .sort((a, b) => b.days - a.days);
  // Only a date someone announced can make a workstream off track.
  const missed = overdue.find(({ m, days }) => days > windows.graceDays && announced(m));
  if (missed) {
    return {
      health: 'off_track',
      reason: `${label(missed.m)} was due ${isoDay(missed.m.dueDate)} (${missed.m.dateBasis} date); no outcome recorded, ${plural(missed.days, 'day')} overdue (grace ${windows.graceDays}).`,
    };
  }
  const worst = overdue[0];
  if (worst && worst.days > windows.graceDays) {
    // Beyond the grace period and not off track: the date was the editors' planning assumption.
    return {
      health: 'at_risk',
      reason: `${label(worst.m)}: assumed date ${isoDay(worst.m.dueDate)} passed; no outcome recorded (${plural(worst.days, 'day')} ago; an assumed date is at risk at most).`,
    };
  }
  if (worst) {
    return {
      health: 'at_risk',
      reason: `${label(worst.m)} was due ${isoDay(worst.m.dueDate)}, ${plural(worst.days, 'day')} overdue, within the ${windows.graceDays}-day grace period.`,
    };
  }

  const dueSoon = open
    .filter((m) => m.status === 'not_started')
    .map((m) => ({ m, days: daysBetween(asOf, m.dueDate) }))
    .filter(({ days }) => days >= 0 && days <= windows.warningDays)
    .sort((a, b) => a.days - b.days)[0];
  if (dueSoon) {
    return {
      health: 'at_risk',
      reason: `${label(dueSoon.m)} is due ${isoDay(dueSoon.m.dueDate)} (in ${plural(dueSoon.days, 'day')}) and not started.`,
    };
  }

  // Progress as of asOf: the recorded mark if it is not in asOf's future, or the latest completion by then.
  // The stall clock runs whether or not a milestone is open: nothing listed and nothing new is stalled too.
  const progressAt = [workstream.lastProgressAt, ...counting.filter((m) => completedAsOf(m, asOf)).map((m) => m.completedOn)]
    .filter((d): d is Date => d !== null && d <= asOf)
    .reduce<Date | null>((latest, d) => (latest && latest >= d ? latest : d), null);
  const since = progressAt ?? workstream.createdAt;
  const idle = daysBetween(since, asOf);
  if (idle >= windows.stallDays) {
    return {
      health: 'stalled',
      reason: progressAt
        ? `No progress recorded since ${isoDay(progressAt)} (${plural(idle, 'day')}; stall window ${windows.stallDays}).`
        : `No progress recorded in ${plural(idle, 'day')} (stall window ${windows.stallDays}).`,
    };
  }

  if (open.length === 0) return { health: 'on_track', reason: ALL_LISTED_DONE };
  const next = [...open].sort((a, b) => a.dueDate.getTime() - b.dueDate.getTime())[0];
  return { health: 'on_track', reason: `Next: ${label(next)} due ${isoDay(next.dueDate)}.` };
}
