import { fitsPrecision, humanDateAt, onOrIn, type DatePrecision } from '@pledgewatch/dates';
import type { EventTypeName } from './event-type';

/**
 * What an event says happened, in the words an alert's headline, a digest line and a feed entry
 * use: "Milestone 'FY2024 OSA equipment handed over' started on 3 March 2026", "completed in
 * February 2026", "rescheduled from March 2027 to March 2028", "Stage changed from pipeline to
 * implementation". Dates are shown as far as they are known (their precision), never as an
 * invented day.
 */

/** The milestone an event concerns, as it stands now (the event itself keeps only from → to). */
export interface StoryMilestone {
  title: string;
  /** `YYYY-MM-DD`, or null when unknown. */
  dueDate: string | null;
  datePrecision: DatePrecision;
  dateBasis: string | null;
  actualStart: string | null;
  actualStartPrecision: DatePrecision;
  completedOn: string | null;
  completedOnPrecision: DatePrecision;
}

export interface StoryEvent {
  type: EventTypeName;
  from: string | null;
  to: string | null;
  reason: string;
  /** Who wrote it: an editor's name, or the status check's actor. */
  actor: string;
  milestone: StoryMilestone | null;
}

/** The status check's actor name (libs/status writes it; events cannot import status). */
export const CHECK_ACTOR = 'status-check';

const BASIS_WORDS: Record<string, string> = { sourced: 'sourced date', planned: 'planned date', assumed: 'planning assumption' };

/** A status or health value as words: `off_track` → `off track`. */
export const words = (value: string | null): string => (value === null || value.trim() === '' ? 'none' : value.trim().replace(/_/g, ' '));

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A stored date with the milestone's precision: "3 March 2026", "March 2028", "Q1 2028", "2028". A
 * date that does not sit at the end of a period of that precision (an older due date, say, before
 * the milestone's precision changed) is shown as the day it is.
 */
export function dateWithPrecision(iso: string, precision: DatePrecision = 'day'): string {
  return humanDateAt(iso, precision);
}

/** "on 3 March 2026" / "in March 2028". */
export function onOrInDate(iso: string, precision: DatePrecision = 'day'): string {
  // humanDateAt shows the day when the date does not fit the precision: say "on" then.
  const shown: DatePrecision = fitsPrecision(iso, precision) ? precision : 'day';
  return `${onOrIn(shown)} ${humanDateAt(iso, shown)}`;
}

/** `'Title'`, or "A milestone" when the milestone is gone. */
const named = (m: StoryMilestone | null) => (m ? `Milestone '${m.title}'` : 'A milestone');

function dueText(m: StoryMilestone): string {
  if (!m.dueDate) return '';
  const basis = m.dateBasis ? BASIS_WORDS[m.dateBasis] : null;
  return `${dateWithPrecision(m.dueDate, m.datePrecision)}${basis ? ` (${basis})` : ''}`;
}

/** A rescheduled event's from/to date, with the milestone's due-date precision where it fits. */
function rescheduledDate(value: string | null, m: StoryMilestone | null): string {
  if (value === null || !ISO_DAY.test(value)) return words(value);
  return dateWithPrecision(value, m?.datePrecision ?? 'day');
}

const trimStop = (text: string) => text.trim().replace(/[.\s]+$/, '');

/** What happened, as one sentence without its full stop. */
export function whatHappened(e: StoryEvent): string {
  const m = e.milestone;
  // A milestone since deleted: its event's own reason (which names it) is all there is.
  if (!m && e.type.startsWith('milestone.') && e.reason.trim()) return trimStop(e.reason);
  switch (e.type) {
    case 'workstream.created':
      return 'Tracking began';
    case 'workstream.stage_changed':
      return `Stage changed from ${words(e.from)} to ${words(e.to)}`;
    case 'workstream.health_changed':
      // The check's reason names the milestone and the date that moved the verdict.
      return `Health changed from ${words(e.from)} to ${words(e.to)}: ${trimStop(e.reason)}`;
    case 'milestone.completed':
      return m?.completedOn ? `${named(m)} completed ${onOrInDate(m.completedOn, m.completedOnPrecision)}` : `${named(m)} completed`;
    case 'milestone.rescheduled':
      return `${named(m)} rescheduled from ${rescheduledDate(e.from, m)} to ${rescheduledDate(e.to, m)}`;
    case 'milestone.overdue':
      return m?.dueDate ? `${named(m)} was due ${dueText(m)} and is not completed` : `${named(m)} is overdue`;
    case 'milestone.added':
      return m?.dueDate ? `${named(m)} added, due ${dueText(m)}` : `${named(m)} added`;
    case 'milestone.status_changed':
      if (e.to === 'in_progress' && e.from !== 'overdue') {
        return m?.actualStart ? `${named(m)} started ${onOrInDate(m.actualStart, m.actualStartPrecision)}` : `${named(m)} started`;
      }
      if (e.to === 'deferred' || e.to === 'cancelled') return `${named(m)} ${e.to}`;
      return `${named(m)} changed from ${words(e.from)} to ${words(e.to)}`;
  }
}

/**
 * The story of a health change that came with other changes of the same write (same workstream,
 * same instant): those changes are what happened, the health change follows from them. A health
 * change on its own (the scheduled check's, or an editor's review) is told by its reason.
 */
export function whatHappenedWith(e: StoryEvent, siblings: StoryEvent[]): string {
  if (e.type !== 'workstream.health_changed') return whatHappened(e);
  const causes = siblings.filter((s) => s.type !== 'workstream.health_changed' && s.type !== 'workstream.created');
  return causes.length ? causes.map(whatHappened).join('; ') : whatHappened(e);
}
