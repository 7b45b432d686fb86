import { Prisma, PrismaService } from '@pledgewatch/database';
import type { EventTypeName } from './event-type';

/** What an event touches: its workstream, that workstream's countries and sectors. */
export interface EventTopics {
  workstreamId: string;
  countries: string[];
  sectors: string[];
}

/**
 * The one rule of which followed topic an event touches, for every table of topics (a
 * subscriber's Subscription, a webhook endpoint's WebhookTopic: columns "workstreamId",
 * "countryCode", "sectorSlug"). A topic touches the event when it names its workstream; or one of
 * its countries and no sector; or one of its sectors and no country; or a country and a sector it
 * has both of (the intersection). `alias` is the SQL alias of the topic table in the query.
 */
export function topicTouchesEvent(alias: string, event: EventTopics): Prisma.Sql {
  if (!/^[a-z_][a-z0-9_]*$/i.test(alias)) throw new Error(`not an SQL alias: ${alias}`);
  const t = Prisma.raw(alias);
  return Prisma.sql`(   ${t}."workstreamId" = ${event.workstreamId}::uuid
                     OR (${t}."workstreamId" IS NULL AND ${t}."countryCode" = ANY(${event.countries}::text[])
                         AND (${t}."sectorSlug" IS NULL OR ${t}."sectorSlug" = ANY(${event.sectors}::text[])))
                     OR (${t}."workstreamId" IS NULL AND ${t}."countryCode" IS NULL
                         AND ${t}."sectorSlug" = ANY(${event.sectors}::text[])))`;
}

/** An event with what it touches and whether it may notify anyone (alert and webhook fan-out). */
export interface TopicEvent extends EventTopics {
  id: string;
  /** The API name (`workstream.health_changed`): raw SQL reads the enum's mapped value. */
  type: EventTypeName;
  notify: boolean;
}

export async function findTopicEvent(prisma: PrismaService, eventId: string): Promise<TopicEvent | null> {
  const rows = await prisma.$queryRaw<TopicEvent[]>`
    SELECT e.id::text AS id, e.type::text AS type, e.notify, e."workstreamId"::text AS "workstreamId",
           COALESCE((SELECT array_agg(c."countryCode"::text ORDER BY c."countryCode")
                       FROM "WorkstreamCountry" c WHERE c."workstreamId" = e."workstreamId"), '{}') AS countries,
           COALESCE((SELECT array_agg(s."sectorSlug" ORDER BY s."sectorSlug")
                       FROM "WorkstreamSector" s WHERE s."workstreamId" = e."workstreamId"), '{}') AS sectors
      FROM "Event" e
     WHERE e.id = ${eventId}::uuid`;
  return rows[0] ?? null;
}
