import { whatHappenedWith, type EventTypeName, type StoryEvent, type StoryMilestone } from '@pledgewatch/events';
import { feedLinks } from '@pledgewatch/feeds';
import { humanDate, humanValue, oneLine, safeHttpUrl } from '@pledgewatch/mail';

/** Everything an alert says about one event, loaded once per event (it is immutable). */
export interface AlertFacts {
  eventId: string;
  type: EventTypeName;
  from: string | null;
  to: string | null;
  reason: string;
  actor: string;
  /** The editor's change note and evidence URL, when an editor made the change. */
  note: string | null;
  evidenceUrl: string | null;
  occurredAt: Date;
  workstream: { id: string; slug: string; title: string; health: string; healthReason: string };
  /** Country names in the workstream's order (code order); empty when it names none. */
  countries: string[];
  milestone: (StoryMilestone & { evidenceUrl: string | null }) | null;
  /** The other events of the same write (same workstream, same instant). */
  siblings: (Omit<StoryEvent, 'milestone'> & { note: string | null; evidenceUrl: string | null; milestone: (StoryMilestone & { evidenceUrl: string | null }) | null })[];
}

/** What the `alert` templates receive; values are raw, the templates escape them. */
export interface AlertTemplateData {
  subject: string;
  /** What happened, as a sentence: the email's first line. */
  headline: string;
  countries: string;
  workstreamTitle: string;
  workstreamUrl: string;
  /** The editor's change note, when there is one. */
  note: string | null;
  /** The health change a milestone or stage change brought, when the headline does not already say it. */
  health: { from: string; to: string; reason: string } | null;
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

/** The changes of the same write that caused a health change (none for any other event). */
function causesOf(facts: AlertFacts): AlertFacts['siblings'] {
  if (facts.type !== 'workstream.health_changed') return [];
  return facts.siblings.filter((s) => s.type !== 'workstream.health_changed' && s.type !== 'workstream.created');
}

/** What happened: the event's own story, or for a health change the changes it came with. */
export function alertHeadline(facts: AlertFacts): string {
  return whatHappenedWith(facts, facts.siblings);
}

/**
 * `[Malaysia] OSA surveillance equipment: Milestone 'Radars handed over' completed on 3 March 2026 (now on track)`:
 * the subject names what happened, and the health it led to when the alert is a health change.
 */
export function alertSubject(facts: AlertFacts): string {
  const tag = countriesTag(facts.countries);
  const health = causesOf(facts).length ? ` (now ${humanValue(facts.to)})` : '';
  return oneLine(`${tag ? `${tag} ` : ''}${facts.workstream.title}: ${alertHeadline(facts)}${health}`);
}

export interface AlertLinks {
  publicBaseUrl: string;
  manageUrl: string;
  unsubscribeUrl: string;
}

export const workstreamPageUrl = (publicBaseUrl: string, slug: string) => `${publicBaseUrl}/workstreams/${encodeURIComponent(slug)}`;

export function alertTemplateData(facts: AlertFacts, links: AlertLinks): AlertTemplateData {
  const feeds = feedLinks(links.publicBaseUrl, { workstream: [facts.workstream.slug] });
  const causes = causesOf(facts);
  // The editor's words and evidence come with the change itself: a health change borrows its cause's.
  const told = causes.find((c) => c.note || c.evidenceUrl || c.milestone?.evidenceUrl) ?? facts;
  return {
    subject: alertSubject(facts),
    headline: alertHeadline(facts),
    countries: facts.countries.join(', '),
    workstreamTitle: facts.workstream.title,
    workstreamUrl: workstreamPageUrl(links.publicBaseUrl, facts.workstream.slug),
    note: told.note?.trim() || null,
    health: causes.length ? { from: humanValue(facts.from), to: humanValue(facts.to), reason: facts.reason } : null,
    occurredOn: humanDate(facts.occurredAt.toISOString().slice(0, 10)),
    evidenceUrl: safeHttpUrl(told.evidenceUrl ?? told.milestone?.evidenceUrl ?? null),
    atomUrl: feeds.atom,
    calendarUrl: feeds.calendar,
    manageUrl: links.manageUrl,
    unsubscribeUrl: links.unsubscribeUrl,
    footerNote: 'You receive this because you follow a country, sector or workstream this change touches.',
  };
}
