import { humanDateAt, periodStart, type DatePrecision } from '@pledgewatch/dates';
import type { DateBasis, Health, MilestoneStatus, Stage } from '@pledgewatch/database';
import { humanDate, humanValue, safeHttpUrl } from '@pledgewatch/mail';
import { HEALTH_SEVERITY, HIGHLIGHT_END, HIGHLIGHT_START, type HealthCounts, type MilestoneWithWorkstream } from '@pledgewatch/workstreams';

/**
 * How the pages word and draw values. Pure functions from the libraries' views to what the
 * templates print; nothing here reads the database.
 */

/** Worst first: the order of every bar, legend and filter (the severity sort's order). */
export const HEALTH_ORDER: readonly Health[] = HEALTH_SEVERITY;

const HEALTH_LABELS: Record<Health, string> = {
  off_track: 'Off track',
  at_risk: 'At risk',
  stalled: 'Stalled',
  on_track: 'On track',
  complete: 'Complete',
  unknown: 'Unknown',
  inactive: 'Inactive',
};

/** Bar fills; the text beside every bar carries the same information. */
const HEALTH_FILLS: Record<Health, string> = {
  off_track: '#d93025',
  at_risk: '#f9ab00',
  stalled: '#8e24aa',
  on_track: '#1e8e3e',
  complete: '#1a73e8',
  unknown: '#dadce0',
  inactive: '#5f6368',
};

export const STAGE_ORDER: readonly Stage[] = ['pipeline', 'implementation', 'finalisation', 'closed', 'cancelled', 'suspended'];
const STAGE_LABELS: Record<Stage, string> = {
  pipeline: 'Pipeline',
  implementation: 'Implementation',
  finalisation: 'Finalisation',
  closed: 'Closed',
  cancelled: 'Cancelled',
  suspended: 'Suspended',
};

const MILESTONE_STATUS_LABELS: Record<MilestoneStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
  deferred: 'Deferred',
  cancelled: 'Cancelled',
  overdue: 'Overdue',
};

/** Every date shown says where it comes from (sourced, planned or assumed). */
const BASIS_LABELS: Record<DateBasis, string> = {
  sourced: 'sourced date',
  planned: 'planned date',
  assumed: 'planning assumption',
};

export const INSTRUMENT_ORDER = ['partnership', 'agreement', 'oda', 'osa', 'dialogue', 'initiative', 'other'] as const;
const INSTRUMENT_LABELS: Record<string, string> = {
  partnership: 'Partnership',
  agreement: 'Agreement',
  oda: 'Official development assistance (ODA)',
  osa: 'Official security assistance (OSA)',
  dialogue: 'Dialogue',
  initiative: 'Initiative',
  other: 'Other',
};

export const milestoneStatusLabel = (status: MilestoneStatus) => MILESTONE_STATUS_LABELS[status] ?? humanValue(status);
export const instrumentLabel = (instrument: string) => INSTRUMENT_LABELS[instrument] ?? humanValue(instrument);
export const healthLabel = (health: Health) => HEALTH_LABELS[health] ?? humanValue(health);
export const stageLabel = (stage: Stage) => STAGE_LABELS[stage] ?? humanValue(stage);
export const basisLabel = (basis: DateBasis) => BASIS_LABELS[basis] ?? humanValue(basis);

export const healthBadge = (health: Health) => ({ health, label: healthLabel(health) });

export interface DateView {
  iso: string;
  text: string;
}

/** A date as far as it is known: `3 March 2026`, `March 2028`, `Q1 2028`, `2028`. */
export function dateView(iso: string | null | undefined, precision: DatePrecision = 'day'): DateView | null {
  return iso ? { iso: iso.slice(0, 10), text: humanDateAt(iso, precision) } : null;
}

const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC', hour12: false });

/** An instant, to the minute, in UTC (the pages have no reader's zone). */
export function instantView(iso: string | Date): DateView & { time: string } {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  const value = date.toISOString();
  return { iso: value, text: humanDate(value), time: `${TIME.format(date)} UTC` };
}

/**
 * When a change happened: a fact known only to the day is recorded at midnight UTC and shown as
 * the day alone (no "00:00 UTC" it never had); anything else to the minute.
 */
export function occurredView(iso: string | Date): DateView & { time: string | null } {
  const view = instantView(iso);
  return view.iso.endsWith('T00:00:00.000Z') ? { iso: view.iso.slice(0, 10), text: view.text, time: null } : view;
}

export interface HealthBar {
  total: number;
  /** The text equivalent, read out for the SVG and printed beside it. */
  text: string;
  segments: { health: Health; label: string; count: number; x: number; width: number; fill: string; href?: string }[];
  legend: { health: Health; label: string; count: number; href?: string }[];
  /** Whether the segments and legend entries link to their lists. */
  linked: boolean;
}

/**
 * A stacked bar as inline SVG (viewBox 0..100 wide) with its text equivalent; with `hrefOf`, each
 * segment and legend entry links to the list of that health.
 */
export function healthBar(counts: HealthCounts | undefined, hrefOf?: (health: Health) => string): HealthBar {
  const legend = HEALTH_ORDER.filter((h) => (counts?.[h] ?? 0) > 0).map((h) => ({
    health: h,
    label: healthLabel(h),
    count: counts![h]!,
    ...(hrefOf && { href: hrefOf(h) }),
  }));
  const total = legend.reduce((sum, entry) => sum + entry.count, 0);
  let x = 0;
  const segments = legend.map((entry) => {
    const width = (entry.count / total) * 100;
    const segment = { ...entry, x: round(x), width: round(width), fill: HEALTH_FILLS[entry.health] };
    x += width;
    return segment;
  });
  const text =
    total === 0
      ? 'No workstreams yet.'
      : `${total} workstream${total === 1 ? '' : 's'}: ${legend.map((e) => `${e.count} ${e.label.toLowerCase()}`).join(', ')}.`;
  return { total, text, segments, legend, linked: hrefOf !== undefined };
}

const round = (n: number) => Math.round(n * 100) / 100;

export interface MilestoneLike {
  title: string;
  plannedStart?: string | null;
  dueDate: string | null;
  /** How much of each date is known (`day` when absent); a period is stored as its last day. */
  datePrecision?: DatePrecision;
  actualStart?: string | null;
  actualStartPrecision?: DatePrecision;
  completedOn?: string | null;
  completedOnPrecision?: DatePrecision;
  status: MilestoneStatus;
  dateBasis: DateBasis;
  evidenceUrl: string | null;
  note?: string | null;
}

/**
 * A milestone as the timeline and the lists show it: its status marked, its dates as far as they
 * are known, its due date with its basis. Lateness in days is measured only between two dates
 * known to the day; a date known to the month says no more than that.
 */
export function milestoneView(m: MilestoneLike, today: string) {
  const duePrecision = m.datePrecision ?? 'day';
  const due = dateView(m.dueDate, duePrecision);
  const completed = dateView(m.completedOn, m.completedOnPrecision);
  const dayPrecise = duePrecision === 'day' && (m.completedOnPrecision ?? 'day') === 'day';
  let lateness: string | null = null;
  if (m.completedOn && m.dueDate && !dayPrecise) {
    // Said only when certain: the completion's period began after the due date's period ended.
    lateness = periodStart(m.completedOn, m.completedOnPrecision ?? 'day') > m.dueDate.slice(0, 10) ? 'after the due date' : null;
  } else if (m.completedOn && m.dueDate && m.dateBasis === 'sourced' && m.completedOn.slice(0, 10) === m.dueDate.slice(0, 10)) {
    // A sourced due date equal to the completion is the event's own record, not a deadline it met.
    lateness = null;
  } else if (m.completedOn && m.dueDate) {
    const days = Math.round((Date.parse(m.completedOn) - Date.parse(m.dueDate)) / 86_400_000);
    lateness = days > 0 ? `${days} day${days === 1 ? '' : 's'} after the due date` : days < 0 ? 'before the due date' : 'on the due date';
  } else if (m.status === 'overdue' && m.dueDate && duePrecision !== 'day') {
    lateness = `overdue since the end of ${due!.text}`;
  } else if (m.status === 'overdue' && m.dueDate) {
    const days = Math.round((Date.parse(today) - Date.parse(m.dueDate)) / 86_400_000);
    lateness = `${days} day${days === 1 ? '' : 's'} overdue`;
  }
  return {
    title: m.title,
    status: m.status,
    statusLabel: milestoneStatusLabel(m.status),
    overdue: m.status === 'overdue',
    deferred: m.status === 'deferred',
    completed: m.status === 'completed',
    plannedStart: dateView(m.plannedStart),
    due,
    actualStart: dateView(m.actualStart, m.actualStartPrecision),
    completedOn: completed,
    lateness,
    basis: m.dateBasis,
    basisLabel: basisLabel(m.dateBasis),
    evidenceUrl: safeHttpUrl(m.evidenceUrl),
    note: m.note ?? null,
  };
}

export function nextMilestoneView(m: MilestoneWithWorkstream | undefined, today: string) {
  return m ? milestoneView(m, today) : null;
}

/** What a change is called on the pages (and in the change log's filter). */
export const EVENT_TYPE_LABELS: Record<string, string> = {
  'workstream.created': 'Tracking began',
  'workstream.health_changed': 'Health changed',
  'workstream.stage_changed': 'Stage changed',
  'milestone.completed': 'Milestone completed',
  'milestone.overdue': 'Milestone overdue',
  'milestone.rescheduled': 'Milestone rescheduled',
  'milestone.added': 'Milestone added',
  'milestone.status_changed': 'Milestone status changed',
};

const CHANGE_SHOWN = new Set(['workstream.health_changed', 'workstream.stage_changed', 'milestone.rescheduled', 'milestone.status_changed', 'milestone.overdue']);

/** The words for a change's from and to values, by kind of change (never a code such as not_started). */
const VALUE_WORDS: Record<string, (value: string) => string> = {
  'workstream.health_changed': (v) => healthLabel(v as Health),
  'workstream.stage_changed': (v) => stageLabel(v as Stage),
  'milestone.status_changed': (v) => milestoneStatusLabel(v as MilestoneStatus),
  'milestone.overdue': (v) => milestoneStatusLabel(v as MilestoneStatus),
  'milestone.completed': (v) => milestoneStatusLabel(v as MilestoneStatus),
};

export interface EventLike {
  id: string;
  type: string;
  milestoneId: string | null;
  from: string | null;
  to: string | null;
  reason: string;
  occurredAt: string;
}

/** One event of the change log: what happened, from → to, why, and the evidence when there is some. */
export function eventView(e: EventLike, milestones: Map<string, { title: string; evidenceUrl: string | null }> = new Map()) {
  const milestone = e.milestoneId ? milestones.get(e.milestoneId) : undefined;
  const health = e.type === 'workstream.health_changed';
  const word = VALUE_WORDS[e.type] ?? humanValue;
  const change = e.from !== null || e.to !== null ? { from: e.from ? word(e.from) : 'none', to: e.to ? word(e.to) : 'none' } : null;
  return {
    id: e.id,
    type: e.type,
    what: EVENT_TYPE_LABELS[e.type] ?? humanValue(e.type),
    // A completion or an addition says it all; "none → completed" adds nothing.
    change: CHANGE_SHOWN.has(e.type) ? change : null,
    toHealth: health && e.to ? healthBadge(e.to as Health) : null,
    reason: e.reason,
    at: occurredView(e.occurredAt),
    milestoneTitle: milestone?.title ?? null,
    evidenceUrl: safeHttpUrl(milestone?.evidenceUrl ?? null),
  };
}

/** `YYYY-MM-DD` of today, UTC (the health check's calendar). */
export const todayUtc = (now = new Date()) => now.toISOString().slice(0, 10);

export function addDays(day: string, days: number): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000);
}

/** A highlighted title or excerpt (matches between HIGHLIGHT_START and HIGHLIGHT_END) as parts to print, the matches marked. */
export function highlighted(text: string): { text: string; mark: boolean }[] {
  const parts: { text: string; mark: boolean }[] = [];
  for (const [i, chunk] of text.split(HIGHLIGHT_START).entries()) {
    const [marked, rest] = i === 0 ? [null, chunk] : splitOnce(chunk, HIGHLIGHT_END);
    if (marked) parts.push({ text: marked, mark: true });
    if (rest) parts.push({ text: rest, mark: false });
  }
  return parts;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length).replaceAll(separator, '')];
}

export interface HealthPeriod {
  health: Health;
  label: string;
  from: DateView;
  /** null: until today. */
  to: DateView | null;
  x: number;
  width: number;
  fill: string;
}

/**
 * Health over time from a workstream's recorded health changes: one period per value, from the
 * start of its record (its first event or its creation, whichever is earlier) to today, drawn as
 * a strip (viewBox 0..100 wide) with the periods in words as its text alternative.
 */
export function healthStrip(
  events: readonly { type: string; from: string | null; to: string | null; occurredAt: string }[],
  createdAt: string,
  current: { health: Health; since: string },
  today: string,
): { periods: HealthPeriod[]; text: string; start: DateView; end: DateView } {
  const changes = events.filter((e) => e.type === 'workstream.health_changed' && e.to).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  const first = [createdAt, current.since, ...events.map((e) => e.occurredAt)].sort()[0].slice(0, 10);
  // Before the first recorded change: its "from", or unknown when nothing was recorded.
  const stops: { health: Health; from: string }[] = [{ health: (changes[0]?.from as Health | null) ?? 'unknown', from: first }];
  const step = (health: Health, day: string) => {
    const last = stops[stops.length - 1];
    if (day <= last.from) last.health = health; // the same day: the day's last value
    else if (health !== last.health) stops.push({ health, from: day });
  };
  for (const change of changes) step(change.to as Health, change.occurredAt.slice(0, 10));
  // The current value, since when it holds (a value set without an event, e.g. by the seed).
  step(current.health, current.since.slice(0, 10) < stops[stops.length - 1].from ? stops[stops.length - 1].from : current.since.slice(0, 10));
  for (let i = stops.length - 1; i > 0; i -= 1) if (stops[i].health === stops[i - 1].health) stops.splice(i, 1);
  const startMs = Date.parse(first);
  // To the end of today, so a value that began today still has a day of its own.
  const span = Date.parse(today) + 86_400_000 - startMs;
  const periods = stops.map((stop, i) => {
    const to = stops[i + 1]?.from ?? null;
    const start = ((Date.parse(stop.from) - startMs) / span) * 100;
    const end = to ? ((Date.parse(to) - startMs) / span) * 100 : 100;
    // At least 1 % wide, so a short period stays visible (its dates are in the text).
    const width = Math.max(end - start, 1);
    return {
      health: stop.health,
      label: healthLabel(stop.health),
      from: dateView(stop.from)!,
      to: dateView(to),
      x: round(Math.min(start, 100 - width)),
      width: round(width),
      fill: HEALTH_FILLS[stop.health] ?? HEALTH_FILLS.unknown,
    };
  });
  const text = `Health over time: ${periods.map((p) => `${p.label.toLowerCase()} from ${p.from.text}${p.to ? ` to ${p.to.text}` : ' until today'}`).join('; ')}.`;
  return { periods, text, start: dateView(first)!, end: dateView(today)! };
}
