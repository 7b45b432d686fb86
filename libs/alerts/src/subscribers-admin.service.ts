import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, SubscriberState } from '@pledgewatch/database';
import { CursorCodec, Page, toPage } from '@pledgewatch/pagination';

const CURSOR = new CursorCodec('admin-subscribers');

const SUBSCRIBER_INCLUDE = {
  subscriptions: {
    select: { countryCode: true, sectorSlug: true, workstream: { select: { slug: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  },
} satisfies Prisma.SubscriberInclude;
type SubscriberRow = Prisma.SubscriberGetPayload<{ include: typeof SUBSCRIBER_INCLUDE }>;

export interface SubscriberFilter {
  state?: SubscriberState[];
  /** Part of an address, any case: `example.org` finds everyone there. */
  email?: string;
  limit: number;
  cursor?: string;
}

/** A subscriber as an editor sees one: preferences and topics, grouped the way POST /v1/subscriptions takes them. */
export function toAdminSubscriberView(row: SubscriberRow) {
  const countries: string[] = [];
  const sectors: string[] = [];
  const intersections: { country: string; sector: string }[] = [];
  const workstreams: string[] = [];
  for (const s of row.subscriptions) {
    if (s.workstream) workstreams.push(s.workstream.slug);
    else if (s.countryCode && s.sectorSlug) intersections.push({ country: s.countryCode, sector: s.sectorSlug });
    else if (s.countryCode) countries.push(s.countryCode);
    else if (s.sectorSlug) sectors.push(s.sectorSlug);
  }
  return {
    id: row.id,
    email: row.email,
    state: row.state,
    alerts: row.alerts,
    digest: row.digest,
    timezone: row.timezone,
    digestDay: row.digestDay,
    digestHour: row.digestHour,
    topics: { countries, sectors, intersections, workstreams },
    confirmedAt: row.confirmedAt?.toISOString() ?? null,
    unsubscribedAt: row.unsubscribedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type AdminSubscriberView = ReturnType<typeof toAdminSubscriberView>;

@Injectable()
export class SubscribersAdminService {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first, keyset-paginated on (createdAt, id). */
  async list(filter: SubscriberFilter): Promise<Page<AdminSubscriberView>> {
    const rows = await this.prisma.subscriber.findMany({
      where: {
        ...(filter.state ? { state: { in: filter.state } } : {}),
        ...(filter.email ? { email: { contains: filter.email.toLowerCase() } } : {}),
        ...CURSOR.after(filter.cursor, 'createdAt'),
      },
      include: SUBSCRIBER_INCLUDE,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit + 1,
    });
    const page = toPage(rows, filter.limit, CURSOR, (row) => ({ at: row.createdAt, id: row.id }));
    return { items: page.items.map(toAdminSubscriberView), nextCursor: page.nextCursor };
  }
}
