import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import type { DatePrecision } from '@pledgewatch/dates';
import { Health, MilestoneStatus, Prisma, PrismaService } from '@pledgewatch/database';
import type { DigestTopics, SnapshotEvent, SnapshotWorkstream, WeekSnapshot } from './digest-content';
import { LOOKAHEAD_DAYS, LOOKBACK_DAYS } from './digest-content';

export interface DigestRecipient {
  id: string;
  email: string;
  state: string;
  digest: boolean;
  timezone: string;
  /** The generation of the recipient's manage and unsubscribe links (Subscriber.linkEpoch). */
  linkEpoch: number;
  topics: DigestTopics;
}

/** A completion the scorecard may call on time or late (see the scores query). */
const JUDGED = Prisma.sql`(m."datePrecision" = 'day' AND m."completedOnPrecision" = 'day'
  AND NOT (m."dateBasis" = 'sourced' AND m."dueDate" = m."completedOn"))`;

/**
 * Everything a week's digests can mention, in a fixed number of set-based queries per as-of
 * instant, however many subscribers and topic sets are due then. The tracker's scale (hundreds of
 * workstreams, a week of events) keeps the snapshot small; subscribers are the large dimension, and
 * they never multiply the queries here.
 */
@Injectable()
export class DigestContentRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  async loadWeek(asOf: Date): Promise<WeekSnapshot> {
    const asOfIso = asOf.toISOString();
    const [events, upcoming, attention, scores, countries, sectors] = await Promise.all([
      this.prisma.$queryRaw<SnapshotEvent[]>`
        SELECT e.id::text AS id, e.type::text AS type, e."workstreamId"::text AS "workstreamId", e."from", e."to",
               e.reason, e.actor, e.note, e."evidenceUrl" AS "eventEvidenceUrl", e."occurredAt",
               m.title AS "milestoneTitle", m."evidenceUrl",
               CASE WHEN m.id IS NULL THEN NULL ELSE json_build_object(
                 'title', m.title, 'dueDate', to_char(m."dueDate", 'YYYY-MM-DD'), 'datePrecision', m."datePrecision"::text,
                 'dateBasis', m."dateBasis"::text, 'actualStart', to_char(m."actualStart", 'YYYY-MM-DD'),
                 'actualStartPrecision', m."actualStartPrecision"::text, 'completedOn', to_char(m."completedOn", 'YYYY-MM-DD'),
                 'completedOnPrecision', m."completedOnPrecision"::text) END AS milestone
          FROM "Event" e
          JOIN "Workstream" w ON w.id = e."workstreamId" AND w."archivedAt" IS NULL
          LEFT JOIN "Milestone" m ON m.id = e."milestoneId"
         WHERE e.notify
           AND e."occurredAt" > ${asOfIso}::timestamptz - make_interval(days => ${LOOKBACK_DAYS}::int)
           AND e."occurredAt" <= ${asOfIso}::timestamptz
         ORDER BY e."occurredAt" DESC, e.id DESC`,
      // Open as of asOf: not cancelled, and not completed by then.
      this.prisma.$queryRaw<{ id: string; workstreamId: string; title: string; dueDate: string; datePrecision: DatePrecision; status: MilestoneStatus }[]>`
        SELECT m.id::text AS id, m."workstreamId"::text AS "workstreamId", m.title,
               to_char(m."dueDate", 'YYYY-MM-DD') AS "dueDate", m."datePrecision"::text AS "datePrecision", m.status
          FROM "Milestone" m
          JOIN "Workstream" w ON w.id = m."workstreamId" AND w."archivedAt" IS NULL
                             AND w.stage NOT IN ('closed', 'cancelled', 'suspended')
         WHERE m.status <> 'cancelled'
           AND NOT (m.status = 'completed' AND (m."completedOn" IS NULL OR m."completedOn" <= (${asOfIso}::timestamptz AT TIME ZONE 'UTC')::date))
           AND m."dueDate" >= (${asOfIso}::timestamptz AT TIME ZONE 'UTC')::date
           AND m."dueDate" <= (${asOfIso}::timestamptz AT TIME ZONE 'UTC')::date + ${LOOKAHEAD_DAYS}::int
         ORDER BY m."dueDate", w.title, m.position`,
      this.prisma.$queryRaw<{ id: string }[]>`
        SELECT w.id::text AS id
          FROM "Workstream" w
         WHERE w."archivedAt" IS NULL AND w.health IN ('off_track', 'at_risk')
         ORDER BY w."healthSince", w.id`,
      // On time: completed on or before the due date; late: after it. Judged only where both dates
      // are known to the day and the due date was a deadline, not the completion recorded after the
      // fact (a sourced due date equal to the completion date is the record of an event); the rest
      // of the completions are counted as not judged. Overdue: open as of asOf, past its due date
      // (a period's last day when known only to the month or coarser), neither deferred (the editor's
      // "postponed") nor on a workstream that is closed, cancelled or suspended. A completion with no
      // date counts as neither.
      this.prisma.$queryRaw<{ code: string; onTime: number; late: number; overdue: number; notJudged: number }[]>`
        WITH d AS (SELECT (${asOfIso}::timestamptz AT TIME ZONE 'UTC')::date AS today)
        SELECT wc."countryCode"::text AS code,
               count(*) FILTER (WHERE m.status = 'completed' AND m."completedOn" <= d.today AND ${JUDGED} AND m."completedOn" <= m."dueDate")::int AS "onTime",
               count(*) FILTER (WHERE m.status = 'completed' AND m."completedOn" <= d.today AND ${JUDGED} AND m."completedOn" > m."dueDate")::int AS late,
               count(*) FILTER (WHERE m.status = 'completed' AND m."completedOn" <= d.today AND NOT ${JUDGED})::int AS "notJudged",
               count(*) FILTER (WHERE m.status NOT IN ('cancelled', 'deferred')
                                  AND w.stage NOT IN ('closed', 'cancelled', 'suspended')
                                  AND m."dueDate" < d.today
                                  AND NOT (m.status = 'completed' AND (m."completedOn" IS NULL OR m."completedOn" <= d.today)))::int AS overdue
          FROM d
         CROSS JOIN "Milestone" m
          JOIN "Workstream" w ON w.id = m."workstreamId" AND w."archivedAt" IS NULL
          JOIN "WorkstreamCountry" wc ON wc."workstreamId" = w.id
         GROUP BY wc."countryCode"`,
      this.prisma.country.findMany({ select: { code: true, name: true } }),
      this.prisma.sector.findMany({ select: { slug: true, name: true } }),
    ]);

    const ids = [...new Set([...events.map((e) => e.workstreamId), ...upcoming.map((m) => m.workstreamId), ...attention.map((w) => w.id)])];
    const workstreams = ids.length
      ? await this.prisma.$queryRaw<SnapshotWorkstream[]>`
          SELECT w.id::text AS id, w.slug, w.title, w.health::text AS health, w."healthReason", w."healthSince", w."lastReviewedAt",
                 (w."lastReviewedAt" IS NULL
                  OR w."lastReviewedAt" < (${asOfIso}::timestamptz AT TIME ZONE 'UTC') - make_interval(days => ${this.config.healthReviewDays}::int)) AS "reviewDue",
                 COALESCE((SELECT array_agg(c."countryCode"::text ORDER BY c."countryCode") FROM "WorkstreamCountry" c WHERE c."workstreamId" = w.id), '{}') AS countries,
                 COALESCE((SELECT array_agg(s."sectorSlug" ORDER BY s."sectorSlug") FROM "WorkstreamSector" s WHERE s."workstreamId" = w.id), '{}') AS sectors
            FROM "Workstream" w
           WHERE w.id = ANY(${ids}::uuid[])`
      : [];

    return {
      asOf,
      workstreams: new Map(workstreams.map((w) => [w.id, { ...w, health: w.health as Health }])),
      events,
      upcoming,
      attention: attention.map((w) => w.id),
      scores: new Map(scores.map((s) => [s.code, { onTime: s.onTime, late: s.late, overdue: s.overdue, notJudged: s.notJudged }])),
      countryNames: new Map(countries.map((c) => [c.code, c.name])),
      sectorNames: new Map(sectors.map((s) => [s.slug, s.name])),
    };
  }

  /** A subscriber with their topics, by id; null when gone. One round trip: it runs once per digest sent. */
  async findRecipient(subscriberId: string): Promise<DigestRecipient | null> {
    const rows = await this.prisma.$queryRaw<RecipientRow[]>`${RECIPIENT_SELECT} WHERE s.id = ${subscriberId}::uuid GROUP BY s.id`;
    return rows[0] ? toRecipient(rows[0]) : null;
  }

  /** Many recipients in one query (the digest composer batches the loads of concurrent sends). */
  async findRecipients(subscriberIds: string[]): Promise<DigestRecipient[]> {
    if (subscriberIds.length === 0) return [];
    const rows = await this.prisma.$queryRaw<RecipientRow[]>`${RECIPIENT_SELECT} WHERE s.id = ANY(${subscriberIds}::uuid[]) GROUP BY s.id`;
    return rows.map(toRecipient);
  }

  /** A subscriber by id or by (normalised) email, for the admin preview. */
  async findRecipientByIdOrEmail(key: string): Promise<DigestRecipient | null> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key);
    const rows = isUuid
      ? await this.prisma.$queryRaw<RecipientRow[]>`${RECIPIENT_SELECT} WHERE s.id = ${key.toLowerCase()}::uuid GROUP BY s.id`
      : await this.prisma.$queryRaw<RecipientRow[]>`${RECIPIENT_SELECT} WHERE s.email = ${key.trim().toLowerCase()} GROUP BY s.id`;
    return rows[0] ? toRecipient(rows[0]) : null;
  }
}

interface RecipientRow {
  id: string;
  email: string;
  state: string;
  digest: boolean;
  timezone: string;
  linkEpoch: number;
  subscriptions: { countryCode: string | null; sectorSlug: string | null; workstreamId: string | null }[];
}

const RECIPIENT_SELECT = Prisma.sql`
  SELECT s.id::text AS id, s.email, s.state::text AS state, s.digest, s.timezone, s."linkEpoch",
         COALESCE(json_agg(json_build_object('countryCode', t."countryCode", 'sectorSlug', t."sectorSlug", 'workstreamId', t."workstreamId"))
                    FILTER (WHERE t.id IS NOT NULL), '[]') AS subscriptions
    FROM "Subscriber" s
    LEFT JOIN "Subscription" t ON t."subscriberId" = s.id`;

function toRecipient(row: RecipientRow): DigestRecipient {
  const topics: DigestTopics = { countries: [], sectors: [], intersections: [], workstreams: [] };
  for (const s of row.subscriptions) {
    if (s.workstreamId) topics.workstreams.push(s.workstreamId);
    else if (s.countryCode && s.sectorSlug) topics.intersections.push({ country: s.countryCode, sector: s.sectorSlug });
    else if (s.countryCode) topics.countries.push(s.countryCode);
    else if (s.sectorSlug) topics.sectors.push(s.sectorSlug);
  }
  return { id: row.id, email: row.email, state: row.state, digest: row.digest, timezone: row.timezone, linkEpoch: row.linkEpoch, topics };
}
