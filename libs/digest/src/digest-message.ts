import { humanDateAt } from '@pledgewatch/dates';
import { whatHappened, type EventTypeName } from '@pledgewatch/events';
import { workstreamUrl as workstreamPageUrl, type TopicFeed } from '@pledgewatch/feeds';
import { humanDate, humanValue, oneLine, safeHttpUrl } from '@pledgewatch/mail';
import type { DigestContent, DigestScorecard } from './digest-content';
import { LOOKAHEAD_DAYS } from './digest-content';
import { wallClock } from './digest-schedule';

/**
 * The `digest` templates' data: every value a plain string or number, computed here, so the
 * templates stay logic-free (the HTML one escapes everything it prints).
 */

export interface DigestLinks {
  publicBaseUrl: string;
  manageUrl: string;
  unsubscribeUrl: string;
  /** Atom feeds and calendars of the subscriber's topics (followedTopicFeeds). */
  feeds?: TopicFeed[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * `30 November 2026` for an instant in a zone. Memoised: a slot's digests print the same few
 * hundred instants in a few dozen zones, and Intl formatting is the costly part of building the data.
 */
const localDays = new Map<string, string>();
export function localDay(instant: Date, timezone: string): string {
  const key = `${timezone}|${instant.getTime()}`;
  let day = localDays.get(key);
  if (day === undefined) {
    if (localDays.size >= 50_000) localDays.clear();
    day = humanDate(wallClock(instant, timezone).date);
    localDays.set(key, day);
  }
  return day;
}

const CHANGE_LABELS: Record<EventTypeName, string> = {
  'workstream.created': 'New workstream',
  'workstream.health_changed': 'Health',
  'workstream.stage_changed': 'Stage',
  'milestone.completed': 'Milestone completed',
  'milestone.overdue': 'Milestone overdue',
  'milestone.rescheduled': 'Milestone rescheduled',
  'milestone.added': 'Milestone added',
  'milestone.status_changed': 'Milestone status',
};

export function digestSubject(content: DigestContent, timezone: string): string {
  const week = localDay(content.asOf, timezone);
  const parts = [
    content.changeCount ? plural(content.changeCount, 'change') : 'a quiet week',
    `${plural(content.upcomingCount, 'milestone')} due in ${LOOKAHEAD_DAYS} days`,
  ];
  if (content.attentionCount) parts.push(`${content.attentionCount} off track or at risk`);
  return oneLine(`Pledgewatch weekly, ${week}: ${parts.join(', ')}`);
}

interface BarSegment {
  label: string;
  count: number;
  percent: number;
  color: string;
}

/** Dark enough for text on white (contrast at least 4.5:1): the legend's squares and labels use them too. */
const SEGMENT_COLORS = { onTime: '#137333', late: '#a14f00', overdue: '#c5221f' };
const TEXT_BAR_WIDTH = 20;

/**
 * Percentages that add up to exactly 100 (largest remainder), so the table cells fill the bar; a
 * non-zero count never rounds to an invisible cell.
 */
function shares(counts: number[], total: number, width: number): number[] {
  if (total === 0) return counts.map(() => 0);
  const raw = counts.map((c) => (c * width) / total);
  const out = raw.map((r, i) => (counts[i] > 0 ? Math.max(1, Math.floor(r)) : 0));
  let left = width - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, rem: r - Math.floor(r) })).sort((a, b) => b.rem - a.rem);
  for (let k = 0; left > 0; k = (k + 1) % order.length) {
    if (counts[order[k].i] > 0) {
      out[order[k].i] += 1;
      left -= 1;
    }
  }
  for (let k = 0; left < 0; k = (k + 1) % order.length) {
    const i = order[order.length - 1 - k].i;
    if (out[i] > 1) {
      out[i] -= 1;
      left += 1;
    }
  }
  return out;
}

function scorecardView(s: DigestScorecard) {
  const counts = [s.onTime, s.late, s.overdue];
  const percents = shares(counts, s.total, 100);
  const chars = shares(counts, s.total, TEXT_BAR_WIDTH);
  const segments: BarSegment[] = [
    { label: 'on time', count: s.onTime, percent: percents[0], color: SEGMENT_COLORS.onTime },
    { label: 'late', count: s.late, percent: percents[1], color: SEGMENT_COLORS.late },
    { label: 'overdue', count: s.overdue, percent: percents[2], color: SEGMENT_COLORS.overdue },
  ];
  return {
    code: s.code,
    name: s.name,
    onTime: s.onTime,
    late: s.late,
    overdue: s.overdue,
    total: s.total,
    segments: segments.filter((g) => g.percent > 0),
    summary: `${s.onTime} on time, ${s.late} late, ${s.overdue} overdue${s.notJudged ? `; ${s.notJudged} not judged: dates known only to the month or recorded after the fact` : ''}`,
    textBar: s.total ? `[${'#'.repeat(chars[0])}${'+'.repeat(chars[1])}${'!'.repeat(chars[2])}]` : `[${'.'.repeat(TEXT_BAR_WIDTH)}]`,
  };
}

export function digestTemplateData(content: DigestContent, timezone: string, links: DigestLinks) {
  const workstreamUrl = (slug: string) => workstreamPageUrl(links.publicBaseUrl, slug);
  const day = (d: Date) => localDay(d, timezone);
  const quiet = content.changeCount === 0;
  const shownChanges = content.groups.reduce((n, g) => n + g.changes.length, 0);
  const more = (total: number, shown: number, one: string) => (total > shown ? `…and ${total - shown} more ${total - shown === 1 ? one : `${one}s`}.` : null);
  return {
    subject: digestSubject(content, timezone),
    weekOf: day(content.asOf),
    periodFrom: day(content.periodStart),
    periodTo: day(content.asOf),
    timezone,
    quiet,
    changeSummary: quiet
      ? 'Nothing changed in your topics in the last 7 days.'
      : `${plural(content.changeCount, 'change')} in your topics in the last 7 days.`,
    moreChanges: more(content.changeCount, shownChanges, 'change'),
    eventsUrl: `${links.publicBaseUrl}/changes?since=${encodeURIComponent(content.periodStart.toISOString())}`,
    groups: content.groups.map((g) => ({
      heading: [g.country, g.sector].filter(Boolean).join(' · ') || 'Other',
      changes: g.changes.map((c) => ({
        label: CHANGE_LABELS[c.type] ?? c.type,
        workstreamTitle: c.workstream.title,
        workstreamUrl: workstreamUrl(c.workstream.slug),
        what: `${whatHappened(c)}.`,
        note: c.note?.trim() || null,
        occurredOn: day(c.occurredAt),
        evidenceUrl: safeHttpUrl(c.evidenceUrl),
      })),
    })),
    upcoming: content.upcoming.map((m) => ({
      title: m.title,
      workstreamTitle: m.workstream.title,
      workstreamUrl: workstreamUrl(m.workstream.slug),
      dueOn: humanDateAt(m.dueDate, m.datePrecision),
      // A date known only to the month (or coarser) is due by the period's end, not on a day.
      when: m.datePrecision !== 'day' ? `by the ${m.datePrecision}'s end` : m.inDays <= 0 ? 'today' : `in ${plural(m.inDays, 'day')}`,
      status: humanValue(m.status),
    })),
    moreUpcoming: more(content.upcomingCount, content.upcoming.length, 'milestone'),
    lookaheadDays: LOOKAHEAD_DAYS,
    attention: content.attention.map((a) => ({
      workstreamTitle: a.workstream.title,
      workstreamUrl: workstreamUrl(a.workstream.slug),
      health: humanValue(a.health),
      offTrack: a.health === 'off_track',
      reason: a.reason,
      since: day(a.since),
      lastReviewed: a.lastReviewedAt ? day(a.lastReviewedAt) : null,
      reviewDue: a.reviewDue,
    })),
    moreAttention: more(content.attentionCount, content.attention.length, 'workstream'),
    scorecards: content.scorecards.map(scorecardView),
    colors: SEGMENT_COLORS,
    feeds: (links.feeds ?? []).map((f) => ({ label: f.label, atomUrl: f.atom, calendarUrl: f.calendar })),
    footerNote: 'You receive this weekly digest because you follow these topics on Pledgewatch.',
    manageUrl: links.manageUrl,
    unsubscribeUrl: links.unsubscribeUrl,
  };
}

export type DigestTemplateData = ReturnType<typeof digestTemplateData>;
