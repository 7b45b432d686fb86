import { Injectable } from '@nestjs/common';
import { Health, Prisma, PrismaService, Stage } from '@pledgewatch/database';
import { CursorCodec, Page, toPage } from '@pledgewatch/pagination';
import { NotFoundError } from '@pledgewatch/problems';
import { toEventView, toMilestoneView, toWorkstreamView, WORKSTREAM_INCLUDE } from './workstream.view';

/**
 * The public list's filters. Each list field matches any of its values; different fields must all
 * match (so `countries` × `sectors` is the intersection, as for subscriptions).
 */
export interface WorkstreamFilter {
  /** ISO 3166-1 alpha-2 codes, upper case. */
  countries?: string[];
  /** Sector slugs. */
  sectors?: string[];
  health?: Health[];
  stages?: Stage[];
  /** Summit slugs. */
  summits?: string[];
  /** Free text, matched literally and case-insensitively against title, summary and slug. */
  q?: string;
  limit: number;
  /** A nextCursor from the previous page. */
  cursor?: string;
}

export type WorkstreamView = ReturnType<typeof toWorkstreamView>;
export type WorkstreamDetailView = WorkstreamView & {
  milestones: ReturnType<typeof toMilestoneView>[];
  history: ReturnType<typeof toEventView>[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR = new CursorCodec('workstreams');

/** `%`, `_` and the escape character itself match literally in ILIKE … ESCAPE '\'. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/** What the public sees of workstreams: never the archived ones. */
@Injectable()
export class WorkstreamsQuery {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first (createdAt desc, id desc), a keyset page at a time. */
  async list(filter: WorkstreamFilter): Promise<Page<WorkstreamView>> {
    const after = filter.cursor === undefined ? undefined : CURSOR.decode(filter.cursor);
    const where: Prisma.Sql[] = [Prisma.sql`w."archivedAt" IS NULL`];
    if (filter.countries?.length) {
      where.push(Prisma.sql`EXISTS (SELECT 1 FROM "WorkstreamCountry" wc
        WHERE wc."workstreamId" = w.id AND wc."countryCode" IN (${Prisma.join(filter.countries)}))`);
    }
    if (filter.sectors?.length) {
      where.push(Prisma.sql`EXISTS (SELECT 1 FROM "WorkstreamSector" ws
        WHERE ws."workstreamId" = w.id AND ws."sectorSlug" IN (${Prisma.join(filter.sectors)}))`);
    }
    if (filter.health?.length) {
      where.push(Prisma.sql`w.health IN (${Prisma.join(filter.health.map((h) => Prisma.sql`CAST(${h} AS "Health")`))})`);
    }
    if (filter.stages?.length) {
      where.push(Prisma.sql`w.stage IN (${Prisma.join(filter.stages.map((s) => Prisma.sql`CAST(${s} AS "Stage")`))})`);
    }
    if (filter.summits?.length) {
      where.push(Prisma.sql`w."summitId" IN (SELECT s.id FROM "Summit" s WHERE s.slug IN (${Prisma.join(filter.summits)}))`);
    }
    if (filter.q !== undefined) {
      const pattern = `%${escapeLike(filter.q)}%`;
      where.push(Prisma.sql`(w.title ILIKE ${pattern} ESCAPE '\\' OR w.summary ILIKE ${pattern} ESCAPE '\\'
        OR w.slug ILIKE ${pattern} ESCAPE '\\')`);
    }
    if (after) {
      // createdAt is a UTC timestamp without time zone, as Prisma writes it.
      where.push(Prisma.sql`(w."createdAt", w.id) <
        (CAST(${after.at.toISOString()} AS timestamptz) AT TIME ZONE 'UTC', CAST(${after.id} AS uuid))`);
    }
    const page = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT w.id FROM "Workstream" w
      WHERE ${Prisma.join(where, ' AND ')}
      ORDER BY w."createdAt" DESC, w.id DESC
      LIMIT ${filter.limit + 1}`;
    const rows = await this.prisma.workstream.findMany({
      where: { id: { in: page.map((r) => r.id) } },
      include: WORKSTREAM_INCLUDE,
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    // A row archived between the two reads drops out rather than failing the page.
    const ordered = page.flatMap((r) => byId.get(r.id) ?? []);
    const cut = toPage(ordered, filter.limit, CURSOR, (row) => ({ at: row.createdAt, id: row.id }));
    return { items: cut.items.map(toWorkstreamView), nextCursor: cut.nextCursor };
  }

  /** One workstream by slug (or id), with its milestones in order and its history newest first. */
  async get(slugOrId: string): Promise<WorkstreamDetailView> {
    const row = await this.prisma.workstream.findFirst({
      where: {
        archivedAt: null,
        OR: UUID.test(slugOrId) ? [{ id: slugOrId.toLowerCase() }, { slug: slugOrId }] : [{ slug: slugOrId }],
      },
      include: {
        ...WORKSTREAM_INCLUDE,
        milestones: { orderBy: [{ position: 'asc' }, { id: 'asc' }] },
        events: { orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] },
      },
    });
    if (!row) throw new NotFoundError('Workstream', slugOrId);
    return {
      ...toWorkstreamView(row),
      milestones: row.milestones.map(toMilestoneView),
      history: row.events.map(toEventView),
    };
  }
}
