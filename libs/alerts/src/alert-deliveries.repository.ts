import { Injectable } from '@nestjs/common';
import type { DatePrecision } from '@pledgewatch/dates';
import { Prisma, PrismaService } from '@pledgewatch/database';
import { findTopicEvent, topicTouchesEvent, type EventTypeName, type TopicEvent } from '@pledgewatch/events';

/** The event as fan-out needs it: who it touches, and whether it may email anyone. */
export type FanoutEvent = TopicEvent;

export interface FanoutBatch {
  /** Subscribers this batch covered; fewer than asked means the walk is over. */
  size: number;
  /** The keyset position for the next batch. */
  lastSubscriberId: string | null;
  /** Deliveries this batch created. */
  created: string[];
  /** Deliveries an earlier, interrupted run created and that are still queued, with their carriers: re-enqueued unless one is live. */
  pending: { id: string; sendJobId: string | null }[];
}

/** A milestone as an event's story tells it (libs/events' StoryMilestone), dates as `YYYY-MM-DD`. */
export interface MilestoneFactsRow {
  title: string;
  dueDate: string | null;
  datePrecision: DatePrecision;
  dateBasis: string | null;
  actualStart: string | null;
  actualStartPrecision: DatePrecision;
  completedOn: string | null;
  completedOnPrecision: DatePrecision;
  evidenceUrl: string | null;
}

/** Another event of the same write (same workstream, same instant). */
export interface SiblingEventRow {
  type: EventTypeName;
  from: string | null;
  to: string | null;
  reason: string;
  actor: string;
  note: string | null;
  evidenceUrl: string | null;
  milestone: MilestoneFactsRow | null;
}

export interface EventFactsRow {
  id: string;
  /** The API name (`workstream.health_changed`): raw SQL reads the enum's mapped value. */
  type: EventTypeName;
  from: string | null;
  to: string | null;
  reason: string;
  actor: string;
  /** The editor's change note and evidence, when an editor made the change. */
  note: string | null;
  eventEvidenceUrl: string | null;
  occurredAt: Date;
  workstreamId: string;
  slug: string;
  title: string;
  health: string;
  healthReason: string;
  countries: string[];
  milestone: MilestoneFactsRow | null;
  /** The other events written with this one, in the order they were recorded. */
  siblings: SiblingEventRow[];
}

/**
 * Alert delivery rows: the fan-out's set-based insert, and the facts of an event an alert tells.
 * What happens to a row afterwards (sent, failed, suppressed) is libs/deliveries' business.
 * Timestamps are `timestamp(3)` holding UTC (Prisma's mapping), hence `now() AT TIME ZONE 'UTC'`:
 * correct whatever the server's TimeZone setting is.
 */
@Injectable()
export class AlertDeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  findFanoutEvent(eventId: string): Promise<FanoutEvent | null> {
    return findTopicEvent(this.prisma, eventId);
  }

  /**
   * One keyset batch of fan-out, in one statement: the next `limit` active, alert-receiving
   * subscribers (by id, after `afterSubscriberId`) with at least one subscription touching the
   * event's workstream get an alert delivery, unless they already have one for this event.
   *
   * Which subscription touches the event is libs/events' topicTouchesEvent, the rule webhooks
   * match with too. However many match, the subscriber appears once (DISTINCT), and the unique key
   * (subscriberId, eventId) makes a re-run insert nothing.
   */
  async insertAlertBatch(event: FanoutEvent, afterSubscriberId: string | null, limit: number): Promise<FanoutBatch> {
    const after = afterSubscriberId ?? '00000000-0000-0000-0000-000000000000';
    const rows = await this.prisma.$queryRaw<FanoutBatch[]>`
      WITH matched AS (
        SELECT DISTINCT sub."subscriberId" AS id
          FROM "Subscription" sub
         WHERE sub."subscriberId" > ${after}::uuid
           AND ${topicTouchesEvent('sub', event)}
      ), batch AS (
        SELECT s.id
          FROM "Subscriber" s
          JOIN matched m ON m.id = s.id
         WHERE s.state = 'active'::"SubscriberState" AND s.alerts
         ORDER BY s.id
         LIMIT ${limit}
      ), inserted AS (
        INSERT INTO "Delivery" (id, kind, "subscriberId", "eventId", status, attempts, "createdAt", "updatedAt")
        SELECT gen_random_uuid(), 'alert'::"DeliveryKind", b.id, ${event.id}::uuid, 'queued'::"DeliveryStatus", 0, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
          FROM batch b
        ON CONFLICT ("subscriberId", "eventId") DO NOTHING
        RETURNING id
      )
      SELECT (SELECT count(*) FROM batch)::int AS size,
             (SELECT b.id::text FROM batch b ORDER BY b.id DESC LIMIT 1) AS "lastSubscriberId",
             COALESCE((SELECT array_agg(i.id::text) FROM inserted i), '{}') AS created,
             COALESCE((SELECT json_agg(json_build_object('id', d.id::text, 'sendJobId', d."sendJobId"))
                         FROM "Delivery" d JOIN batch b ON b.id = d."subscriberId"
                        WHERE d."eventId" = ${event.id}::uuid AND d.status = 'queued'::"DeliveryStatus"), '[]') AS pending`;
    return rows[0];
  }

  /**
   * The fan-out of this event has created every delivery it will: the outbox relay leaves it alone.
   *
   * Unconditional on purpose. The dispatcher enqueues the job while it holds the event's row lock
   * and sets `fanoutPending` in that transaction, which commits after the enqueue: a fast fan-out
   * can finish first. `… WHERE "fanoutPending"` would then match nothing (the committed row still
   * says false), return at once, and the dispatch's commit would set the flag back for good. By id
   * alone, the UPDATE waits for the dispatch's lock and clears the flag after its commit.
   */
  async finishFanout(eventId: string): Promise<void> {
    await this.prisma.$executeRaw`UPDATE "Event" SET "fanoutPending" = false WHERE id = ${eventId}::uuid`;
  }

  /**
   * An event with what its alert tells: the workstream, its countries, the milestone's dates as
   * far as they are known, and the other events of the same write (same workstream and instant),
   * so that a health change can name the milestone change it came with.
   */
  async findEventFacts(eventId: string): Promise<EventFactsRow | null> {
    const rows = await this.prisma.$queryRaw<EventFactsRow[]>`
      SELECT e.id::text AS id, e.type::text AS type, e."from", e."to", e.reason, e.actor, e.note,
             e."evidenceUrl" AS "eventEvidenceUrl", e."occurredAt",
             w.id::text AS "workstreamId", w.slug, w.title, w.health::text AS health, w."healthReason",
             COALESCE((SELECT array_agg(c.name ORDER BY wc."countryCode")
                         FROM "WorkstreamCountry" wc JOIN "Country" c ON c.code = wc."countryCode"
                        WHERE wc."workstreamId" = w.id), '{}') AS countries,
             ${milestoneJson('m')} AS milestone,
             COALESCE((SELECT json_agg(json_build_object(
                                'type', s.type::text, 'from', s."from", 'to', s."to", 'reason', s.reason, 'actor', s.actor,
                                'note', s.note, 'evidenceUrl', s."evidenceUrl", 'milestone', ${milestoneJson('sm')})
                              ORDER BY s.type, s.id)
                         FROM "Event" s
                         LEFT JOIN "Milestone" sm ON sm.id = s."milestoneId"
                        WHERE s."workstreamId" = e."workstreamId" AND s."occurredAt" = e."occurredAt" AND s.id <> e.id), '[]') AS siblings
        FROM "Event" e
        JOIN "Workstream" w ON w.id = e."workstreamId"
        LEFT JOIN "Milestone" m ON m.id = e."milestoneId"
       WHERE e.id = ${eventId}::uuid`;
    return rows[0] ?? null;
  }
}

/** A milestone row (alias `m`) as MilestoneFactsRow JSON, or null when there is none. */
function milestoneJson(m: string): Prisma.Sql {
  const col = (name: string) => Prisma.raw(`${m}."${name}"`);
  return Prisma.sql`CASE WHEN ${col('id')} IS NULL THEN NULL ELSE json_build_object(
    'title', ${col('title')},
    'dueDate', to_char(${col('dueDate')}, 'YYYY-MM-DD'), 'datePrecision', ${col('datePrecision')}::text, 'dateBasis', ${col('dateBasis')}::text,
    'actualStart', to_char(${col('actualStart')}, 'YYYY-MM-DD'), 'actualStartPrecision', ${col('actualStartPrecision')}::text,
    'completedOn', to_char(${col('completedOn')}, 'YYYY-MM-DD'), 'completedOnPrecision', ${col('completedOnPrecision')}::text,
    'evidenceUrl', ${col('evidenceUrl')}) END`;
}
