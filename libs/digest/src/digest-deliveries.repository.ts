import { Injectable } from '@nestjs/common';
import { PrismaService, Weekday } from '@pledgewatch/database';

/** One (zone, weekday, hour) whose wall time falls due in `slot`; `digestWeek` is that wall time's local date. */
export interface DueCombination {
  timezone: string;
  digestDay: Weekday;
  digestHour: number;
  digestWeek: string;
  slot: Date;
}

/**
 * A position in one due combination's walk, (topicsKey, id): subscribers who get the same digest
 * (same zone and slot, same topics) come one after another, so their deliveries share send batches
 * and the worker renders that digest once for them (DigestComposer's prepared mails).
 */
export interface DigestCursor {
  topicsKey: string;
  id: string;
}

const WALK_START: DigestCursor = { topicsKey: '', id: '00000000-0000-0000-0000-000000000000' };

export interface DigestBatch {
  /** Due subscribers this batch covered; fewer than asked means the walk is over. */
  size: number;
  /** Keyset position for the next batch. */
  last: DigestCursor | null;
  /** Deliveries created `queued`, in walk order: to enqueue. */
  created: string[];
  /** Deliveries created `suppressed` (a quiet week for a subscriber who skips empty digests). */
  suppressed: number;
  /** This week's digest deliveries an earlier, interrupted run created and that are still queued, with their carriers. */
  pending: { id: string; sendJobId: string | null }[];
}

export const QUIET_WEEK = 'quiet week: nothing changed in the subscribed topics, and the subscriber skips empty digests';

const WEEKDAY_ARRAY = `ARRAY['monday','tuesday','wednesday','thursday','friday','saturday','sunday']::"Weekday"[]`;

/**
 * The SQL half of the digest schedule (digest-schedule.ts is the same rule in TypeScript, and a
 * spec checks the two agree): which subscribers fall due in a window of hourly slots, and the
 * set-based insert of their digest deliveries.
 */
@Injectable()
export class DigestDeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Every (zone, weekday, hour) due in the slots (from, to], for the zones active digest
   * subscribers live in: per zone and slot, the whole wall-clock hours in (wall(slot − 1 h), wall(slot)].
   * Zones Postgres does not know are left out (and reported), rather than failing the whole run.
   */
  async dueCombinations(from: Date, to: Date): Promise<{ combos: DueCombination[]; unknownZones: string[] }> {
    const rows = await this.prisma.$queryRawUnsafe<
      { timezone: string; digestDay: Weekday | null; digestHour: number | null; digestWeek: string | null; slot: Date | null; known: boolean }[]
    >(
      `WITH zones AS (
         SELECT DISTINCT s.timezone AS tz
           FROM "Subscriber" s
          WHERE s.state = 'active'::"SubscriberState" AND s.digest
       ), checked AS (
         SELECT z.tz, z.tz IN (SELECT name FROM pg_timezone_names) AS known FROM zones z
       ), slots AS (
         SELECT generate_series($1::timestamptz + interval '1 hour', $2::timestamptz, interval '1 hour') AS slot
       )
       SELECT c.tz AS timezone, TRUE AS known,
              (${WEEKDAY_ARRAY})[extract(isodow FROM w.wall)::int] AS "digestDay",
              extract(hour FROM w.wall)::int AS "digestHour",
              to_char(w.wall, 'YYYY-MM-DD') AS "digestWeek",
              sl.slot
         FROM checked c
        CROSS JOIN slots sl
        CROSS JOIN LATERAL generate_series(
                date_trunc('hour', (sl.slot - interval '1 hour') AT TIME ZONE c.tz) + interval '1 hour',
                sl.slot AT TIME ZONE c.tz,
                interval '1 hour') AS w(wall)
        WHERE c.known
       UNION ALL
       SELECT c.tz, FALSE, NULL, NULL, NULL, NULL FROM checked c WHERE NOT c.known`,
      from.toISOString(),
      to.toISOString(),
    );
    return {
      combos: rows
        .filter((r) => r.known)
        .map((r) => ({ timezone: r.timezone, digestDay: r.digestDay!, digestHour: r.digestHour!, digestWeek: r.digestWeek!, slot: r.slot! })),
      unknownZones: rows.filter((r) => !r.known).map((r) => r.timezone),
    };
  }

  /**
   * The combinations some active digest subscriber has (zone, weekday and hour): the others need
   * no walk. One statement, an index probe per combination.
   */
  async populated(combos: DueCombination[]): Promise<DueCombination[]> {
    if (combos.length === 0) return [];
    const rows = await this.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT c.n::int AS n
         FROM unnest($1::text[], $2::"Weekday"[], $3::int[]) WITH ORDINALITY AS c(tz, day, hour, n)
        WHERE EXISTS (SELECT 1 FROM "Subscriber" s
                       WHERE s.timezone = c.tz AND s."digestDay" = c.day AND s."digestHour" = c.hour
                         AND s.state = 'active'::"SubscriberState" AND s.digest)
        ORDER BY c.n`,
      combos.map((c) => c.timezone),
      combos.map((c) => c.digestDay),
      combos.map((c) => c.digestHour),
    );
    return rows.map((r) => combos[r.n - 1]);
  }

  /**
   * One keyset batch of one due combination: its next `limit` due subscribers in (topicsKey, id)
   * order, after `after`, get this week's digest delivery, in one statement. The walk is a range of
   * the index (timezone, digestDay, digestHour, topicsKey, id).
   *
   * Due means: active, digest on, at least one topic, in the combination's zone, weekday and hour,
   * confirmed by the slot (a late catch-up does not surprise someone who signed up after their
   * hour), and no digest of another week lies within six days of this one (so moving one's digest
   * day never yields two in a week). The unique key (subscriber, kind, digestWeek) makes any re-run
   * insert nothing: however often or late the job runs, one digest a week.
   *
   * A subscriber who skips empty digests and had no change in their topics in the seven days before
   * the slot gets the delivery row too, created `suppressed`: the week is decided, and a later run
   * does not reconsider it.
   */
  async insertDigestBatch(combo: DueCombination, after: DigestCursor | null, limit: number): Promise<DigestBatch> {
    const from = after ?? WALK_START;
    const rows = await this.prisma.$queryRawUnsafe<DigestBatch[]>(
      `WITH due AS (
         SELECT s.id, s."topicsKey", s."skipEmptyDigest" AS "skipEmpty", $4::date AS week, $5::timestamptz AS slot
           FROM "Subscriber" s
          WHERE s.timezone = $1 AND s."digestDay" = $2::"Weekday" AND s."digestHour" = $3::int
            AND (s."topicsKey", s.id) > ($6::text, $7::uuid)
            AND s.state = 'active'::"SubscriberState" AND s.digest
            AND (s."confirmedAt" IS NULL OR s."confirmedAt" <= $5::timestamptz)
            AND EXISTS (SELECT 1 FROM "Subscription" t WHERE t."subscriberId" = s.id)
            AND NOT EXISTS (
                  SELECT 1 FROM "Delivery" d
                   WHERE d."subscriberId" = s.id AND d.kind = 'digest'::"DeliveryKind"
                     AND d."digestWeek" BETWEEN $4::date - 6 AND $4::date + 6 AND d."digestWeek" <> $4::date)
          ORDER BY s."topicsKey", s.id
          LIMIT $8
       ), decided AS (
         SELECT d.*,
                d."skipEmpty" AND NOT EXISTS (
                  SELECT 1
                    FROM "Subscription" t
                    JOIN "Event" e ON e.notify
                                  AND e."occurredAt" > d.slot - interval '7 days' AND e."occurredAt" <= d.slot
                    JOIN "Workstream" w ON w.id = e."workstreamId" AND w."archivedAt" IS NULL
                   WHERE t."subscriberId" = d.id
                     AND (   t."workstreamId" = w.id
                          OR (t."workstreamId" IS NULL AND t."countryCode" IS NOT NULL
                              AND EXISTS (SELECT 1 FROM "WorkstreamCountry" wc WHERE wc."workstreamId" = w.id AND wc."countryCode" = t."countryCode")
                              AND (t."sectorSlug" IS NULL
                                   OR EXISTS (SELECT 1 FROM "WorkstreamSector" ws WHERE ws."workstreamId" = w.id AND ws."sectorSlug" = t."sectorSlug")))
                          OR (t."workstreamId" IS NULL AND t."countryCode" IS NULL AND t."sectorSlug" IS NOT NULL
                              AND EXISTS (SELECT 1 FROM "WorkstreamSector" ws WHERE ws."workstreamId" = w.id AND ws."sectorSlug" = t."sectorSlug")))
                ) AS quiet
           FROM due d
       ), inserted AS (
         INSERT INTO "Delivery" (id, kind, "subscriberId", "digestWeek", status, attempts, "lastError", payload, "createdAt", "updatedAt")
         SELECT gen_random_uuid(), 'digest'::"DeliveryKind", d.id, d.week,
                CASE WHEN d.quiet THEN 'suppressed'::"DeliveryStatus" ELSE 'queued'::"DeliveryStatus" END,
                0,
                CASE WHEN d.quiet THEN $9 END,
                jsonb_build_object('asOf', to_char(d.slot AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                now(), now()
           FROM decided d
         ON CONFLICT ("subscriberId", kind, "digestWeek") DO NOTHING
         RETURNING id, "subscriberId", status
       )
       SELECT (SELECT count(*) FROM due)::int AS size,
              (SELECT json_build_object('topicsKey', d."topicsKey", 'id', d.id::text)
                 FROM due d ORDER BY d."topicsKey" DESC, d.id DESC LIMIT 1) AS last,
              COALESCE((SELECT array_agg(i.id::text ORDER BY d."topicsKey", d.id)
                          FROM inserted i JOIN due d ON d.id = i."subscriberId"
                         WHERE i.status = 'queued'::"DeliveryStatus"), '{}') AS created,
              (SELECT count(*) FROM inserted i WHERE i.status = 'suppressed'::"DeliveryStatus")::int AS suppressed,
              COALESCE((SELECT json_agg(json_build_object('id', x.id::text, 'sendJobId', x."sendJobId") ORDER BY d."topicsKey", d.id)
                          FROM "Delivery" x JOIN due d ON d.id = x."subscriberId" AND x."digestWeek" = d.week
                         WHERE x.kind = 'digest'::"DeliveryKind" AND x.status = 'queued'::"DeliveryStatus"), '[]') AS pending`,
      combo.timezone,
      combo.digestDay,
      combo.digestHour,
      combo.digestWeek,
      combo.slot.toISOString(),
      from.topicsKey,
      from.id,
      limit,
      QUIET_WEEK,
    );
    return rows[0];
  }
}
