/**
 * Addresses of the public feeds for one topic, for the workstream view and the emails. A topic is
 * what the feeds filter on: lists match any of their values, different fields must all match
 * (`country` × `sector` is the intersection), exactly as `GET /v1/events`.
 */
export interface FeedTopic {
  /** ISO 3166-1 alpha-2 codes. */
  country?: string[];
  /** Sector slugs. */
  sector?: string[];
  /** Workstream slugs or ids. */
  workstream?: string[];
}

export interface FeedLinks {
  /** Atom (RFC 4287) of the topic's events. */
  atom: string;
  /** iCalendar (RFC 5545) of the topic's milestone due dates. */
  calendar: string;
  /** The same calendar as a `webcal://` address, which calendar apps open as a subscription. */
  webcal: string;
}

const FIELDS = ['country', 'sector', 'workstream'] as const;

/** `?country=PH&sector=maritime-security`: commas stay readable, each value is encoded. */
export function topicQuery(topic: FeedTopic): string {
  const parts = FIELDS.filter((field) => topic[field]?.length).map(
    (field) => `${field}=${topic[field]!.map(encodeURIComponent).join(',')}`,
  );
  return parts.length ? `?${parts.join('&')}` : '';
}

export function feedLinks(publicBaseUrl: string, topic: FeedTopic): FeedLinks {
  const query = topicQuery(topic);
  const calendar = `${publicBaseUrl}/v1/feeds/milestones.ics${query}`;
  return {
    atom: `${publicBaseUrl}/v1/feeds/events.atom${query}`,
    calendar,
    webcal: calendar.replace(/^https?:/, 'webcal:'),
  };
}

/** The topics a subscriber follows, as email digests hold them (workstreams by id). */
export interface FollowedTopics {
  countries: string[];
  sectors: string[];
  intersections: { country: string; sector: string }[];
  workstreams: string[];
}

export interface TopicFeed extends FeedLinks {
  /** What the feed covers, e.g. `Countries: MY, PH` or `PH × maritime-security`. */
  label: string;
}

/**
 * One feed per kind of topic a subscriber follows. Topics are OR-ed while one feed's filters are
 * AND-ed, so countries, sectors and workstreams each get a feed (several values of one kind are
 * OR-ed inside it) and every intersection a feed of its own.
 */
export function followedTopicFeeds(publicBaseUrl: string, topics: FollowedTopics): TopicFeed[] {
  const feeds: TopicFeed[] = [];
  if (topics.countries.length) {
    feeds.push({ label: `Countries: ${topics.countries.join(', ')}`, ...feedLinks(publicBaseUrl, { country: topics.countries }) });
  }
  if (topics.sectors.length) {
    feeds.push({ label: `Sectors: ${topics.sectors.join(', ')}`, ...feedLinks(publicBaseUrl, { sector: topics.sectors }) });
  }
  for (const { country, sector } of topics.intersections) {
    feeds.push({ label: `${country} × ${sector}`, ...feedLinks(publicBaseUrl, { country: [country], sector: [sector] }) });
  }
  if (topics.workstreams.length) {
    const n = topics.workstreams.length;
    feeds.push({ label: n === 1 ? 'The workstream you follow' : `The ${n} workstreams you follow`, ...feedLinks(publicBaseUrl, { workstream: topics.workstreams }) });
  }
  return feeds;
}
