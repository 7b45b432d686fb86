import { createHash } from 'node:crypto';
import type { DatePrecision } from '@pledgewatch/dates';
import type { Health, MilestoneStatus } from '@pledgewatch/database';
import type { EventTypeName, StoryMilestone } from '@pledgewatch/events';

/**
 * What a weekly digest says, as pure functions over one "week snapshot" (everything a digest can
 * mention, loaded once per as-of instant by DigestContentRepository). Subscribers with the same
 * topics get the same content: it is computed once per (as-of, topic set) and shared.
 */

export interface DigestTopics {
  countries: string[];
  sectors: string[];
  intersections: { country: string; sector: string }[];
  /** Workstream ids. */
  workstreams: string[];
}

export interface SnapshotWorkstream {
  id: string;
  slug: string;
  title: string;
  /** Country codes and sector slugs, sorted. */
  countries: string[];
  sectors: string[];
  health: Health;
  healthReason: string;
  /** When the workstream's present health began: the date the condition arose. */
  healthSince: Date;
  /** The editors' last look at the sources, and whether another is due (the review window passed). */
  lastReviewedAt: Date | null;
  reviewDue: boolean;
}

export interface SnapshotEvent {
  id: string;
  type: EventTypeName;
  workstreamId: string;
  from: string | null;
  to: string | null;
  reason: string;
  actor: string;
  /** The editor's change note and evidence, when an editor made the change. */
  note: string | null;
  eventEvidenceUrl: string | null;
  occurredAt: Date;
  /** The event's milestone with its dates as far as they are known, or null. */
  milestone: StoryMilestone | null;
  milestoneTitle: string | null;
  evidenceUrl: string | null;
}

export interface SnapshotMilestone {
  id: string;
  workstreamId: string;
  title: string;
  /** `YYYY-MM-DD`: the period's last day when the date is known only to the month, quarter or year. */
  dueDate: string;
  datePrecision: DatePrecision;
  status: MilestoneStatus;
}

export interface CountryScore {
  /** Completed by the due date; only pairs of day-precise dates that were a deadline, not a record after the fact. */
  onTime: number;
  late: number;
  overdue: number;
  /** Completed, but not judged: a date known only to the month (or coarser), or a due date that is just the recorded completion. */
  notJudged: number;
}

export interface WeekSnapshot {
  asOf: Date;
  /** Every workstream anything below refers to, by id. */
  workstreams: Map<string, SnapshotWorkstream>;
  /** Events in (asOf − 7 days, asOf], that may email (`notify`), on live workstreams; newest first. */
  events: SnapshotEvent[];
  /** Open milestones due in the 30 days after asOf's date, on live workstreams; soonest first. */
  upcoming: SnapshotMilestone[];
  /** Ids of live workstreams that are off_track or at_risk now. */
  attention: string[];
  /** Milestone scorecard by country code, as of asOf (countries with no milestones are absent). */
  scores: Map<string, CountryScore>;
  countryNames: Map<string, string>;
  sectorNames: Map<string, string>;
}

export interface DigestChange {
  eventId: string;
  type: EventTypeName;
  workstream: { slug: string; title: string };
  milestone: StoryMilestone | null;
  from: string | null;
  to: string | null;
  reason: string;
  actor: string;
  note: string | null;
  occurredAt: Date;
  evidenceUrl: string | null;
}

export interface DigestChangeGroup {
  country: string;
  sector: string;
  changes: DigestChange[];
}

export interface DigestUpcoming {
  workstream: { slug: string; title: string };
  title: string;
  dueDate: string;
  datePrecision: DatePrecision;
  status: MilestoneStatus;
  inDays: number;
}

export interface DigestAttention {
  workstream: { slug: string; title: string };
  health: 'off_track' | 'at_risk';
  reason: string;
  /** The date the condition arose (never a count of days, which a data load would reset). */
  since: Date;
  lastReviewedAt: Date | null;
  reviewDue: boolean;
}

export interface DigestScorecard extends CountryScore {
  code: string;
  name: string;
  total: number;
}

export interface DigestContent {
  asOf: Date;
  periodStart: Date;
  /** Every change in the topics this week; `groups` holds the newest MAX_CHANGES of them. */
  changeCount: number;
  groups: DigestChangeGroup[];
  /** Every milestone due in the look-ahead; `upcoming` holds the soonest MAX_UPCOMING. */
  upcomingCount: number;
  upcoming: DigestUpcoming[];
  /** Every off-track or at-risk workstream; `attention` holds the first MAX_ATTENTION. */
  attentionCount: number;
  attention: DigestAttention[];
  scorecards: DigestScorecard[];
}

export const LOOKBACK_DAYS = 7;
export const LOOKAHEAD_DAYS = 30;
/**
 * An email stays readable (and small) however busy the week: beyond these, the digest says how
 * many more there are and links to the full feed.
 */
export const MAX_CHANGES = 30;
export const MAX_UPCOMING = 20;
export const MAX_ATTENTION = 20;
const DAY_MS = 86_400_000;

const sortedUnique = (values: string[]) => [...new Set(values)].sort();

/** The same topics in any order give the same key. */
export function topicKey(topics: DigestTopics): string {
  const canonical = {
    c: sortedUnique(topics.countries),
    s: sortedUnique(topics.sectors),
    x: sortedUnique(topics.intersections.map((i) => `${i.country}|${i.sector}`)),
    w: sortedUnique(topics.workstreams),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

export function isEmptyTopics(topics: DigestTopics): boolean {
  return !topics.countries.length && !topics.sectors.length && !topics.intersections.length && !topics.workstreams.length;
}

/**
 * The alerts' matching rule (docs/api.md#instant-alerts): a workstream is in a subscriber's topics when they follow
 * it, one of its countries, one of its sectors, or a country and a sector it has both of.
 */
export function matchesTopics(topics: DigestTopics, ws: Pick<SnapshotWorkstream, 'id' | 'countries' | 'sectors'>): boolean {
  return (
    topics.workstreams.includes(ws.id) ||
    topics.countries.some((c) => ws.countries.includes(c)) ||
    topics.sectors.some((s) => ws.sectors.includes(s)) ||
    topics.intersections.some((i) => ws.countries.includes(i.country) && ws.sectors.includes(i.sector))
  );
}

/** Whole UTC calendar days from a to b. */
const daysBetween = (a: Date, b: Date) => Math.floor(b.getTime() / DAY_MS) - Math.floor(a.getTime() / DAY_MS);

/** A heading part: the followed ones when any, else all of them, shortened past three; '' for none. */
function label(codes: string[], followed: Set<string>, names: Map<string, string>, plural: string): string {
  const mine = codes.filter((c) => followed.has(c));
  const shown = (mine.length ? mine : codes).map((c) => names.get(c) ?? c).sort((a, b) => a.localeCompare(b));
  if (shown.length === 0) return '';
  return shown.length <= 3 ? shown.join(', ') : `${shown.length} ${plural}`;
}

/**
 * A subscriber's digest for their topics. Each change appears once, under a heading naming its
 * workstream's countries and sectors (the ones the subscriber follows when there are any).
 */
export function buildDigestContent(week: WeekSnapshot, topics: DigestTopics): DigestContent {
  const inTopics = new Map<string, boolean>();
  const matches = (id: string) => {
    let hit = inTopics.get(id);
    if (hit === undefined) {
      const ws = week.workstreams.get(id);
      hit = ws ? matchesTopics(topics, ws) : false;
      inTopics.set(id, hit);
    }
    return hit;
  };
  const ref = (id: string) => {
    const ws = week.workstreams.get(id)!;
    return { slug: ws.slug, title: ws.title };
  };

  const followedCountries = new Set([...topics.countries, ...topics.intersections.map((i) => i.country)]);
  const followedSectors = new Set([...topics.sectors, ...topics.intersections.map((i) => i.sector)]);

  const groups = new Map<string, DigestChangeGroup>();
  let changeCount = 0;
  for (const e of week.events) {
    if (!matches(e.workstreamId)) continue;
    changeCount += 1;
    // Events come newest first: the ones past the cap are the oldest.
    if (changeCount > MAX_CHANGES) continue;
    const ws = week.workstreams.get(e.workstreamId)!;
    const country = label(ws.countries, followedCountries, week.countryNames, 'countries');
    const sector = label(ws.sectors, followedSectors, week.sectorNames, 'sectors');
    const key = `${country}\u0000${sector}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { country, sector, changes: [] }));
    group.changes.push({
      eventId: e.id,
      type: e.type,
      workstream: ref(e.workstreamId),
      milestone: e.milestone,
      from: e.from,
      to: e.to,
      reason: e.reason,
      actor: e.actor,
      note: e.note,
      occurredAt: e.occurredAt,
      evidenceUrl: e.eventEvidenceUrl ?? e.evidenceUrl,
    });
  }

  const upcoming = week.upcoming
    .filter((m) => matches(m.workstreamId))
    .map((m) => ({
      workstream: ref(m.workstreamId),
      title: m.title,
      dueDate: m.dueDate,
      datePrecision: m.datePrecision,
      status: m.status,
      inDays: daysBetween(week.asOf, new Date(`${m.dueDate}T00:00:00Z`)),
    }));

  const attention = week.attention
    .filter(matches)
    .map((id) => {
      const ws = week.workstreams.get(id)!;
      return {
        workstream: ref(id),
        health: ws.health as DigestAttention['health'],
        reason: ws.healthReason,
        since: ws.healthSince,
        lastReviewedAt: ws.lastReviewedAt,
        reviewDue: ws.reviewDue,
      };
    })
    // Off track before at risk; within each, the longest-standing first.
    .sort((a, b) => (a.health === b.health ? a.since.getTime() - b.since.getTime() : a.health === 'off_track' ? -1 : 1));

  const scorecards = [...followedCountries]
    .map((code) => {
      const score = week.scores.get(code) ?? { onTime: 0, late: 0, overdue: 0, notJudged: 0 };
      return { code, name: week.countryNames.get(code) ?? code, ...score, total: score.onTime + score.late + score.overdue };
    })
    .sort((a, b) => a.name.localeCompare(b.name));

  return {
    asOf: week.asOf,
    periodStart: new Date(week.asOf.getTime() - LOOKBACK_DAYS * DAY_MS),
    changeCount,
    groups: [...groups.values()].sort((a, b) => a.country.localeCompare(b.country) || a.sector.localeCompare(b.sector)),
    upcomingCount: upcoming.length,
    upcoming: upcoming.slice(0, MAX_UPCOMING),
    attentionCount: attention.length,
    attention: attention.slice(0, MAX_ATTENTION),
    scorecards,
  };
}
