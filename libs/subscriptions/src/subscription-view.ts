import type { SubscriberState } from '@pledgewatch/database';
import type { Preferences, TopicRefs } from './subscription-input';

/** One followed topic as stored, with the names a person reads. */
export interface TopicRecord {
  countryCode: string | null;
  countryName: string | null;
  sectorSlug: string | null;
  sectorName: string | null;
  workstreamId: string | null;
  workstreamSlug: string | null;
  workstreamTitle: string | null;
}

export interface SubscriberRecord extends Preferences {
  id: string;
  email: string;
  state: SubscriberState;
  confirmedAt: Date | null;
  /** The generation of the manage and unsubscribe links (raising it revokes those sent). */
  linkEpoch: number;
  topics: TopicRecord[];
}

/** What the JSON answers of the email-link endpoints show: the subscribe body's shape, plus state. */
export interface SubscriptionView extends TopicRefs, Preferences {
  email: string;
  state: SubscriberState;
}

export function topicRefsOf(topics: TopicRecord[]): TopicRefs {
  const refs: TopicRefs = { countries: [], sectors: [], intersections: [], workstreams: [] };
  for (const topic of topics) {
    if (topic.workstreamSlug) refs.workstreams.push(topic.workstreamSlug);
    else if (topic.countryCode && topic.sectorSlug) refs.intersections.push({ country: topic.countryCode, sector: topic.sectorSlug });
    else if (topic.countryCode) refs.countries.push(topic.countryCode);
    else if (topic.sectorSlug) refs.sectors.push(topic.sectorSlug);
  }
  refs.countries.sort();
  refs.sectors.sort();
  refs.workstreams.sort();
  refs.intersections.sort((a, b) => `${a.country}|${a.sector}`.localeCompare(`${b.country}|${b.sector}`));
  return refs;
}

export function toView(subscriber: SubscriberRecord): SubscriptionView {
  return {
    email: subscriber.email,
    state: subscriber.state,
    ...topicRefsOf(subscriber.topics),
    alerts: subscriber.alerts,
    digest: subscriber.digest,
    skipEmptyDigest: subscriber.skipEmptyDigest,
    timezone: subscriber.timezone,
    digestDay: subscriber.digestDay,
    digestHour: subscriber.digestHour,
  };
}

/** "Malaysia", "Space", "Philippines × Maritime security", "Workstream: …", for emails and pages. */
export function describeTopics(topics: TopicRecord[]): string[] {
  const label = (topic: TopicRecord): [number, string] => {
    if (topic.workstreamId) return [3, `Workstream: ${topic.workstreamTitle ?? topic.workstreamSlug}`];
    const country = topic.countryName ?? topic.countryCode;
    const sector = topic.sectorName ?? topic.sectorSlug;
    if (country && sector) return [2, `${country} × ${sector}`];
    return country ? [0, `Country: ${country}`] : [1, `Sector: ${sector}`];
  };
  return topics
    .map(label)
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .map(([, text]) => text);
}

const capitalised = (day: string) => day[0].toUpperCase() + day.slice(1);
const hh = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

/** What will arrive, in one sentence. */
export function describePreferences(p: Preferences): string {
  const digest = `a weekly digest on ${capitalised(p.digestDay)}s at ${hh(p.digestHour)} (${p.timezone})${p.skipEmptyDigest ? ', skipped in weeks with nothing new' : ''}`;
  if (p.alerts && p.digest) return `You will get instant alerts when something moves, and ${digest}.`;
  if (p.alerts) return 'You will get instant alerts when something moves (no weekly digest).';
  if (p.digest) return `You will get ${digest} (no instant alerts).`;
  return 'Instant alerts and the weekly digest are both off: nothing will be sent until you turn one on.';
}
