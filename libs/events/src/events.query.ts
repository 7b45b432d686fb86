import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, workstreamReferenceWhere } from '@pledgewatch/database';
import { CursorCodec, Page, toPage } from '@pledgewatch/pagination';
import { eventTypeFromName, EventTypeName } from './event-type';

/** The change log's filters: each list matches any of its values, different fields must all match. */
export interface EventFeedFilter {
  /** Only events at or after this instant. */
  since?: Date;
  /** ISO 3166-1 alpha-2 codes, upper case: events of workstreams touching any of them. */
  countries?: string[];
  /** Sector slugs: events of workstreams in any of them. */
  sectors?: string[];
  types?: EventTypeName[];
  /** Workstream slugs or ids (`/v1/workstreams/{slug}` takes either). */
  workstreams?: string[];
  limit: number;
  cursor?: string;
}

const FEED_INCLUDE = {
  workstream: { select: { slug: true, title: true } },
  milestone: {
    select: {
      title: true,
      evidenceUrl: true,
      dueDate: true,
      datePrecision: true,
      dateBasis: true,
      actualStart: true,
      actualStartPrecision: true,
      completedOn: true,
      completedOnPrecision: true,
    },
  },
} satisfies Prisma.EventInclude;

/** An event row with the slug and title of its workstream (and its milestone's), for feeds that link to it. */
export type FeedEventRow = Prisma.EventGetPayload<{ include: typeof FEED_INCLUDE }>;

const CURSOR = new CursorCodec('events');

/** The public change log: events of workstreams that are not archived, newest first. */
@Injectable()
export class EventsQuery {
  constructor(private readonly prisma: PrismaService) {}

  async feed(filter: EventFeedFilter): Promise<Page<FeedEventRow>> {
    const conditions: Prisma.EventWhereInput[] = [
      {
        workstream: {
          archivedAt: null,
          ...(filter.countries?.length && { countries: { some: { countryCode: { in: filter.countries } } } }),
          ...(filter.sectors?.length && { sectors: { some: { sectorSlug: { in: filter.sectors } } } }),
          ...(filter.workstreams?.length && workstreamReferenceWhere(filter.workstreams)),
        },
      },
    ];
    if (filter.types?.length) conditions.push({ type: { in: filter.types.map(eventTypeFromName) } });
    if (filter.since) conditions.push({ occurredAt: { gte: filter.since } });
    conditions.push(CURSOR.after(filter.cursor, 'occurredAt'));
    const rows = await this.prisma.event.findMany({
      where: { AND: conditions },
      orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
      take: filter.limit + 1,
      include: FEED_INCLUDE,
    });
    return toPage(rows, filter.limit, CURSOR, (row) => ({ at: row.occurredAt, id: row.id }));
  }
}
