import { fitsPrecision, humanDateAt, onOrIn, periodEnd, periodStart, type DatePrecision } from '@pledgewatch/dates';
import type { DateBasis, MilestoneStatus } from '@pledgewatch/database';
import type { NewEvent } from '@pledgewatch/events';
import { FieldError, UnprocessableError } from '@pledgewatch/problems';
import type { NewMilestoneInput, PatchMilestoneInput } from './workstream-input';
import { isoDate } from './workstream.view';

/** The dated part of a milestone, as stored. */
export interface MilestoneState {
  title: string;
  status: MilestoneStatus;
  dueDate: Date;
  plannedStart: Date | null;
  actualStart: Date | null;
  completedOn: Date | null;
  /** How much of each date is known; `day` when not given. A period is stored as its last day. */
  datePrecision?: DatePrecision;
  actualStartPrecision?: DatePrecision;
  completedOnPrecision?: DatePrecision;
}

/** A date as a reader sees it, with its precision: `3 March 2026`, `March 2028`. */
export const dateText = (d: Date | null, precision: DatePrecision = 'day') => (d ? humanDateAt(d.toISOString(), precision) : 'none');

/** Midnight UTC of the day `now` falls on: "today" for dates an editor leaves out. */
export function todayUtc(now: Date): Date {
  return new Date(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);
}

const field = (path: string, name: string) => (path ? `${path}.${name}` : name);

/**
 * Dates that do not add up. `path` prefixes each field name (`milestones.2`, `workstreams.0.milestones.1`).
 * Comparisons are by calendar day: a milestone may start and end the same day.
 */
export function milestoneDateErrors(state: MilestoneState, today: Date, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  // A date of a coarser precision must be its period's last day: refused, not normalised, so an
  // editor never sees a date moved that they did not move.
  const precise: [Extract<keyof MilestoneState, string>, Date | null, DatePrecision | undefined, string][] = [
    ['dueDate', state.dueDate, state.datePrecision, 'datePrecision'],
    ['actualStart', state.actualStart, state.actualStartPrecision, 'actualStartPrecision'],
    ['completedOn', state.completedOn, state.completedOnPrecision, 'completedOnPrecision'],
  ];
  for (const [name, date, precision, precisionField] of precise) {
    if (!date || !precision || fitsPrecision(isoDate(date)!, precision)) continue;
    errors.push({
      field: field(path, name),
      code: 'date_precision_mismatch',
      message: `${name} ${isoDate(date)} does not fit ${precisionField} "${precision}": a ${precision} is stored as its last day (${periodEnd(isoDate(date)!, precision)}).`,
    });
  }
  // In the future: a date known to the month may name this month (it started on some day of it).
  const inFuture = (date: Date, precision: DatePrecision = 'day') => periodStart(isoDate(date)!, precision) > isoDate(today)!;
  if (state.plannedStart && state.plannedStart > state.dueDate) {
    errors.push({
      field: field(path, 'dueDate'),
      code: 'invalid_dates',
      message: `dueDate ${isoDate(state.dueDate)} is before plannedStart ${isoDate(state.plannedStart)}.`,
    });
  }
  if (state.completedOn && inFuture(state.completedOn, state.completedOnPrecision)) {
    errors.push({
      field: field(path, 'completedOn'),
      code: 'date_in_future',
      message: `completedOn ${isoDate(state.completedOn)} is in the future; record a completion once it has happened.`,
    });
  }
  if (state.actualStart && inFuture(state.actualStart, state.actualStartPrecision)) {
    errors.push({
      field: field(path, 'actualStart'),
      code: 'date_in_future',
      message: `actualStart ${isoDate(state.actualStart)} is in the future; use plannedStart for a planned start.`,
    });
  }
  if (state.actualStart && state.completedOn && state.completedOn < state.actualStart) {
    errors.push({
      field: field(path, 'completedOn'),
      code: 'invalid_dates',
      message: `completedOn ${isoDate(state.completedOn)} is before actualStart ${isoDate(state.actualStart)}.`,
    });
  }
  return errors;
}

function reservedStatus(path: string): FieldError {
  return {
    field: field(path, 'status'),
    code: 'status_reserved',
    message: 'Status "overdue" is set by the scheduled check only.',
  };
}

function notCompleted(path: string, status: MilestoneStatus): FieldError {
  return {
    field: field(path, 'completedOn'),
    code: 'not_completed',
    message: `completedOn is only for a completed milestone; its status would be ${status}.`,
  };
}

export interface NewMilestone extends MilestoneState {
  dateBasis: DateBasis;
  datePrecision: DatePrecision;
  actualStartPrecision: DatePrecision;
  completedOnPrecision: DatePrecision;
  evidenceUrl: string | null;
  note: string | null;
}

/**
 * A new milestone as it will be stored, or the reasons it cannot be. A completedOn without a status
 * means completed; completed without a completedOn means today.
 */
export function resolveNewMilestone(
  input: NewMilestoneInput,
  today: Date,
  path = '',
): { milestone: NewMilestone; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const status: MilestoneStatus = input.status ?? (input.completedOn ? 'completed' : 'not_started');
  if (status === 'overdue') errors.push(reservedStatus(path));
  if (input.completedOn && status !== 'completed') errors.push(notCompleted(path, status));
  const milestone: NewMilestone = {
    title: input.title,
    status,
    dueDate: input.dueDate,
    plannedStart: input.plannedStart ?? null,
    actualStart: input.actualStart ?? null,
    completedOn: status === 'completed' ? (input.completedOn ?? today) : null,
    // Sent without a basis, a due date is the editors' planning assumption (the column's default too).
    dateBasis: input.dateBasis ?? 'assumed',
    datePrecision: input.datePrecision ?? 'day',
    actualStartPrecision: input.actualStartPrecision ?? 'day',
    completedOnPrecision: status === 'completed' && input.completedOn ? (input.completedOnPrecision ?? 'day') : 'day',
    evidenceUrl: input.evidenceUrl ?? null,
    note: input.note ?? null,
  };
  errors.push(...milestoneDateErrors(milestone, today, path));
  return { milestone, errors };
}

export interface MilestonePatchPlan {
  /** Columns to write; empty when the patch changes nothing. */
  data: Partial<MilestoneState & { dateBasis: DateBasis; evidenceUrl: string | null; note: string | null }>;
  /** The milestone as it will stand. */
  after: Required<MilestoneState>;
  /** One event per change (the history and the alerts read them), without actor/notify, which the caller adds. */
  events: Omit<NewEvent, 'actor' | 'notify' | 'workstreamId'>[];
  /** A start or a completion was recorded: the workstream's lastProgressAt moves to now. */
  progress: boolean;
}

type PatchableMilestone = MilestoneState & {
  id: string;
  datePrecision: DatePrecision;
  actualStartPrecision: DatePrecision;
  completedOnPrecision: DatePrecision;
  dateBasis: DateBasis;
  evidenceUrl: string | null;
  note: string | null;
};

const sameDay = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/**
 * What an editor's PATCH does to a milestone: the new state, the events it owes and whether it
 * records progress. Throws a 422 when the result would not add up.
 *
 * - `overdue` is the scheduled check's to set (422 `status_reserved`).
 * - Completing without completedOn uses today (UTC); leaving `completed` clears completedOn.
 * - Moving an overdue milestone's due date to today or later, without naming a status, takes it
 *   back to in_progress (if it had started) or not_started: it is no longer overdue.
 */
export function planMilestonePatch(before: PatchableMilestone, patch: PatchMilestoneInput, today: Date): MilestonePatchPlan {
  const errors: FieldError[] = [];
  if (patch.status === 'overdue') errors.push(reservedStatus(''));

  const dueDate = patch.dueDate ?? before.dueDate;
  const actualStart = patch.actualStart === undefined ? before.actualStart : patch.actualStart;
  let status = patch.status ?? before.status;
  if (patch.status === undefined && before.status === 'overdue' && patch.dueDate && dueDate >= today) {
    status = actualStart ? 'in_progress' : 'not_started';
  }
  let completedOn: Date | null = null;
  if (status === 'completed') {
    completedOn = patch.completedOn ?? before.completedOn ?? today;
  } else if (patch.completedOn) {
    errors.push(notCompleted('', status));
  }

  // A date sent without its precision is a day; a precision sent alone applies to the stored date.
  const precisionOf = (date: Date | null | undefined, sent: DatePrecision | undefined, stored: DatePrecision): DatePrecision =>
    sent ?? (date !== undefined ? 'day' : stored);
  const after: Required<MilestoneState> = {
    title: patch.title ?? before.title,
    status,
    dueDate,
    plannedStart: patch.plannedStart === undefined ? before.plannedStart : patch.plannedStart,
    actualStart,
    completedOn,
    datePrecision: precisionOf(patch.dueDate, patch.datePrecision, before.datePrecision),
    actualStartPrecision: precisionOf(patch.actualStart, patch.actualStartPrecision, before.actualStartPrecision),
    completedOnPrecision:
      completedOn === null ? 'day' : precisionOf(patch.completedOn ?? (before.completedOn ? undefined : today), patch.completedOnPrecision, before.completedOnPrecision),
  };
  errors.push(...milestoneDateErrors(after, today));
  if (errors.length) throw new UnprocessableError(errors[0].code, errors[0].message, errors);

  const data: MilestonePatchPlan['data'] = {};
  if (after.title !== before.title) data.title = after.title;
  if (after.status !== before.status) data.status = after.status;
  if (!sameDay(after.dueDate, before.dueDate)) data.dueDate = after.dueDate;
  if (!sameDay(after.plannedStart, before.plannedStart)) data.plannedStart = after.plannedStart;
  if (!sameDay(after.actualStart, before.actualStart)) data.actualStart = after.actualStart;
  if (!sameDay(after.completedOn, before.completedOn)) data.completedOn = after.completedOn;
  if (after.datePrecision !== before.datePrecision) data.datePrecision = after.datePrecision;
  if (after.actualStartPrecision !== before.actualStartPrecision) data.actualStartPrecision = after.actualStartPrecision;
  if (after.completedOnPrecision !== before.completedOnPrecision) data.completedOnPrecision = after.completedOnPrecision;
  if (patch.dateBasis !== undefined && patch.dateBasis !== before.dateBasis) data.dateBasis = patch.dateBasis;
  if (patch.evidenceUrl !== undefined && patch.evidenceUrl !== before.evidenceUrl) data.evidenceUrl = patch.evidenceUrl;
  if (patch.note !== undefined && patch.note !== before.note) data.note = patch.note;

  const label = `"${after.title}"`;
  const events: MilestonePatchPlan['events'] = [];
  if (data.status === 'completed') {
    events.push({
      type: 'milestone.completed',
      milestoneId: before.id,
      from: before.status,
      to: 'completed',
      reason: `${label} completed ${onOrIn(after.completedOnPrecision)} ${dateText(after.completedOn, after.completedOnPrecision)}.`,
    });
  } else if (data.status) {
    events.push({
      type: 'milestone.status_changed',
      milestoneId: before.id,
      from: before.status,
      to: data.status,
      reason:
        data.status === 'in_progress' && after.actualStart
          ? `${label} started ${onOrIn(after.actualStartPrecision)} ${dateText(after.actualStart, after.actualStartPrecision)}.`
          : `${label} status changed from ${before.status.replace(/_/g, ' ')} to ${data.status.replace(/_/g, ' ')}.`,
    });
  }
  if (data.dueDate) {
    events.push({
      type: 'milestone.rescheduled',
      milestoneId: before.id,
      from: isoDate(before.dueDate),
      to: isoDate(after.dueDate),
      reason: `${label} rescheduled from ${dateText(before.dueDate, before.datePrecision)} to ${dateText(after.dueDate, after.datePrecision)}.`,
    });
  }

  const started = before.actualStart === null && after.actualStart !== null;
  const progress = (data.status === 'completed' || data.status === 'in_progress') || started;
  return { data, after, events, progress };
}
