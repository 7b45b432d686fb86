import type { EventTypeName } from '@pledgewatch/events';

/** Everything an alert says about one event, loaded once per event (it is immutable). */
export interface AlertFacts {
  eventId: string;
  type: EventTypeName;
  from: string | null;
  to: string | null;
  reason: string;
  occurredAt: Date;
  workstream: { id: string; slug: string; title: string; health: string; healthReason: string };
  /** Country names in the workstream's order (code order); empty when it names none. */
  countries: string[];
  milestone: { title: string; evidenceUrl: string | null } | null;
}

/** What the `alert` templates receive; values are raw, the templates escape them. */
export interface AlertTemplateData {
  subject: string;
  headline: string;
  countries: string;
  workstreamTitle: string;
  workstreamUrl: string;
  milestoneTitle: string | null;
  from: string;
  to: string;
  reason: string;
  occurredOn: string;
  evidenceUrl: string | null;
  manageUrl: string;
  unsubscribeUrl: string;
  /** The layout's footer line: why this person gets this email. */
  footerNote: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2024-06-30` → `30 June 2024`. */
function humanDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/**
 * A status value as a person reads it: `off_track` → `off track`, `2024-06-30` → `30 June 2024`,
 * nothing → `none`.
 */
export function humanLabel(value: string | null): string {
  if (value === null || value.trim() === '') return 'none';
  const v = value.trim();
  if (DATE.test(v)) return humanDate(v);
  if (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))) return humanDate(v.slice(0, 10));
  return v.replace(/_/g, ' ');
}

/** `[Malaysia]`, `[Malaysia, Philippines]`, `[Malaysia, Philippines +3]`: a subject stays short. */
export function countriesTag(countries: string[]): string {
  if (countries.length === 0) return '';
  const shown = countries.slice(0, 2).join(', ');
  return `[${countries.length > 2 ? `${shown} +${countries.length - 2}` : shown}]`;
}

/** What moved, as the body's headline says it. */
function headlineOf(facts: AlertFacts): string {
  const m = facts.milestone?.title;
  switch (facts.type) {
    case 'workstream.health_changed':
      return `Health changed to ${humanLabel(facts.to)}`;
    case 'workstream.stage_changed':
      return `Stage changed to ${humanLabel(facts.to)}`;
    case 'milestone.completed':
      return m ? `Milestone completed: ${m}` : 'A milestone was completed';
    case 'milestone.overdue':
      return m ? `Milestone overdue: ${m}` : 'A milestone is overdue';
    case 'milestone.rescheduled':
      return m ? `Milestone rescheduled: ${m}` : 'A milestone was rescheduled';
    default:
      return m ? `Milestone updated: ${m}` : 'Workstream updated';
  }
}

/** The from → to part of the subject, with what it is a change of when that is not health. */
function changeOf(facts: AlertFacts): string {
  const arrow = `${humanLabel(facts.from)} → ${humanLabel(facts.to)}`;
  switch (facts.type) {
    case 'workstream.health_changed':
      return arrow;
    case 'workstream.stage_changed':
      return `stage ${arrow}`;
    case 'milestone.rescheduled':
      return `milestone due ${arrow}`;
    default:
      return `milestone ${arrow}`;
  }
}

/** Headers must stay on one line whatever an editor typed. */
const oneLine = (s: string) => s.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();

/** `[Malaysia] OSA surveillance equipment: on track → off track`. */
export function alertSubject(facts: AlertFacts): string {
  const tag = countriesTag(facts.countries);
  return oneLine(`${tag ? `${tag} ` : ''}${facts.workstream.title}: ${changeOf(facts)}`);
}

export interface AlertLinks {
  publicBaseUrl: string;
  manageUrl: string;
  unsubscribeUrl: string;
}

export function alertTemplateData(facts: AlertFacts, links: AlertLinks): AlertTemplateData {
  return {
    subject: alertSubject(facts),
    headline: headlineOf(facts),
    countries: facts.countries.join(', '),
    workstreamTitle: facts.workstream.title,
    workstreamUrl: `${links.publicBaseUrl}/v1/workstreams/${encodeURIComponent(facts.workstream.slug)}`,
    milestoneTitle: facts.milestone?.title ?? null,
    from: humanLabel(facts.from),
    to: humanLabel(facts.to),
    reason: facts.reason,
    occurredOn: humanDate(facts.occurredAt.toISOString().slice(0, 10)),
    evidenceUrl: safeHttpUrl(facts.milestone?.evidenceUrl ?? null),
    manageUrl: links.manageUrl,
    unsubscribeUrl: links.unsubscribeUrl,
    footerNote: 'You receive this because you follow a country, sector or workstream this change touches.',
  };
}

/** Only http(s) links are put in an email's href; anything else (javascript:, data:) is dropped. */
export function safeHttpUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}
