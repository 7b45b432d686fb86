import type { DateBasis, Health, MilestoneStatus, Stage } from '@pledgewatch/database';
import { humanDate, humanValue, safeHttpUrl } from '@pledgewatch/mail';
import type { HealthCounts, MilestoneWithWorkstream } from '@pledgewatch/workstreams';

/**
 * How the pages word and draw values. Pure functions from the libraries' views to what the
 * templates print; nothing here reads the database.
 */

/** Worst first: the order of every bar, legend and filter. */
export const HEALTH_ORDER: readonly Health[] = ['off_track', 'at_risk', 'stalled', 'on_track', 'complete', 'unknown', 'inactive'];

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

const INSTRUMENT_LABELS: Record<string, string> = {
  partnership: 'Partnership',
  agreement: 'Agreement',
  oda: 'Official development assistance (ODA)',
  osa: 'Official security assistance (OSA)',
  dialogue: 'Dialogue',
  initiative: 'Initiative',
  other: 'Other',
};

export const instrumentLabel = (instrument: string) => INSTRUMENT_LABELS[instrument] ?? humanValue(instrument);
export const healthLabel = (health: Health) => HEALTH_LABELS[health] ?? humanValue(health);
export const stageLabel = (stage: Stage) => STAGE_LABELS[stage] ?? humanValue(stage);
export const basisLabel = (basis: DateBasis) => BASIS_LABELS[basis] ?? humanValue(basis);

export const healthBadge = (health: Health) => ({ health, label: healthLabel(health) });

export interface DateView {
  iso: string;
  text: string;
}

export function dateView(iso: string | null | undefined): DateView | null {
  return iso ? { iso: iso.slice(0, 10), text: humanDate(iso) } : null;
}

const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC', hour12: false });

/** An instant, to the minute, in UTC (the pages have no reader's zone). */
export function instantView(iso: string | Date): DateView & { time: string } {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  const value = date.toISOString();
  return { iso: value, text: humanDate(value), time: `${TIME.format(date)} UTC` };
}

export interface HealthBar {
  total: number;
  /** The text equivalent, read out for the SVG and printed beside it. */
  text: string;
  segments: { health: Health; label: string; count: number; x: number; width: number; fill: string }[];
  legend: { health: Health; label: string; count: number }[];
}

/** A stacked bar as inline SVG (viewBox 0..100 wide) with its text equivalent. */
export function healthBar(counts: HealthCounts | undefined): HealthBar {
  const legend = HEALTH_ORDER.filter((h) => (counts?.[h] ?? 0) > 0).map((h) => ({ health: h, label: healthLabel(h), count: counts![h]! }));
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
  return { total, text, segments, legend };
}

const round = (n: number) => Math.round(n * 100) / 100;

export interface MilestoneLike {
  title: string;
  plannedStart?: string | null;
  dueDate: string | null;
  actualStart?: string | null;
  completedOn?: string | null;
  status: MilestoneStatus;
  dateBasis: DateBasis;
  evidenceUrl: string | null;
  note?: string | null;
}

/** A milestone as the timeline and the lists show it: its status marked, its due date with its basis. */
export function milestoneView(m: MilestoneLike, today: string) {
  const due = dateView(m.dueDate);
  const completed = dateView(m.completedOn);
  let lateness: string | null = null;
  if (m.completedOn && m.dueDate) {
    const days = Math.round((Date.parse(m.completedOn) - Date.parse(m.dueDate)) / 86_400_000);
    lateness = days > 0 ? `${days} day${days === 1 ? '' : 's'} after the due date` : days < 0 ? 'before the due date' : 'on the due date';
  } else if (m.status === 'overdue' && m.dueDate) {
    const days = Math.round((Date.parse(today) - Date.parse(m.dueDate)) / 86_400_000);
    lateness = `${days} day${days === 1 ? '' : 's'} overdue`;
  }
  return {
    title: m.title,
    status: m.status,
    statusLabel: MILESTONE_STATUS_LABELS[m.status] ?? humanValue(m.status),
    overdue: m.status === 'overdue',
    deferred: m.status === 'deferred',
    completed: m.status === 'completed',
    plannedStart: dateView(m.plannedStart),
    due,
    actualStart: dateView(m.actualStart),
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
  const change =
    e.from !== null || e.to !== null
      ? {
          from: health && e.from ? healthLabel(e.from as Health) : humanValue(e.from),
          to: health && e.to ? healthLabel(e.to as Health) : humanValue(e.to),
        }
      : null;
  return {
    id: e.id,
    type: e.type,
    what: EVENT_TYPE_LABELS[e.type] ?? humanValue(e.type),
    // A completion or an addition says it all; "none → completed" adds nothing.
    change: CHANGE_SHOWN.has(e.type) ? change : null,
    toHealth: health && e.to ? healthBadge(e.to as Health) : null,
    reason: e.reason,
    at: instantView(e.occurredAt),
    milestoneTitle: milestone?.title ?? null,
    evidenceUrl: safeHttpUrl(milestone?.evidenceUrl ?? null),
  };
}

/** `YYYY-MM-DD` of today, UTC (the health check's calendar). */
export const todayUtc = (now = new Date()) => now.toISOString().slice(0, 10);

export function addDays(day: string, days: number): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000);
}
