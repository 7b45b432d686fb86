import type { EventTypeName } from '@pledgewatch/events';
import { feedLinks } from '@pledgewatch/feeds';
import { humanDate, humanValue, oneLine, safeHttpUrl } from '@pledgewatch/mail';

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
  /** The workstream's Atom feed and milestone calendar. */
  atomUrl: string;
  calendarUrl: string;
  manageUrl: string;
  unsubscribeUrl: string;
  /** The layout's footer line: why this person gets this email. */
  footerNote: string;
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
      return `Health changed to ${humanValue(facts.to)}`;
    case 'workstream.stage_changed':
      return `Stage changed to ${humanValue(facts.to)}`;
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
  const arrow = `${humanValue(facts.from)} → ${humanValue(facts.to)}`;
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
  const feeds = feedLinks(links.publicBaseUrl, { workstream: [facts.workstream.slug] });
  return {
    subject: alertSubject(facts),
    headline: headlineOf(facts),
    countries: facts.countries.join(', '),
    workstreamTitle: facts.workstream.title,
    workstreamUrl: `${links.publicBaseUrl}/v1/workstreams/${encodeURIComponent(facts.workstream.slug)}`,
    milestoneTitle: facts.milestone?.title ?? null,
    from: humanValue(facts.from),
    to: humanValue(facts.to),
    reason: facts.reason,
    occurredOn: humanDate(facts.occurredAt.toISOString().slice(0, 10)),
    evidenceUrl: safeHttpUrl(facts.milestone?.evidenceUrl ?? null),
    atomUrl: feeds.atom,
    calendarUrl: feeds.calendar,
    manageUrl: links.manageUrl,
    unsubscribeUrl: links.unsubscribeUrl,
    footerNote: 'You receive this because you follow a country, sector or workstream this change touches.',
  };
}
