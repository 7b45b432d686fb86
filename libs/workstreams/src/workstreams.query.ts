import { Injectable } from '@nestjs/common';
import { Health, Prisma, PrismaService, Stage, workstreamReferenceSql } from '@pledgewatch/database';
import { CursorCodec, Page, toPage } from '@pledgewatch/pagination';
import { NotFoundError } from '@pledgewatch/problems';
import { toEventView, toMilestoneView, toWorkstreamView, WorkstreamRow } from './workstream.view';

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

/** A list row as the raw query answers it: the workstream's columns, its summit and its topics flattened. */
type ListRow = Omit<WorkstreamRow, 'summit' | 'countries' | 'sectors'> & {
  summitSlug: string;
  summitName: string;
  countryCodes: string[];
  sectorSlugs: string[];
};

/** The shape `include: WORKSTREAM_INCLUDE` loads (the editors' side), so every reader shares toWorkstreamView. */
const toWorkstreamRow = ({ summitSlug, summitName, countryCodes, sectorSlugs, ...row }: ListRow): WorkstreamRow => ({
  ...row,
  summit: { slug: summitSlug, name: summitName },
  countries: countryCodes.map((countryCode) => ({ countryCode })),
  sectors: sectorSlugs.map((sectorSlug) => ({ sectorSlug })),
});

/**
 * A workstream with what its view shows (summit, countries, sectors) in one statement, as ListRow;
 * alias `w`. The ARRAY subqueries run only for the rows a LIMIT keeps.
 */
const SELECT_WORKSTREAMS = Prisma.sql`
  SELECT w.id, w.slug, w.title, w.summary, w."summitId", w.instrument::text AS instrument, w.stage::text AS stage,
         w.health::text AS health, w."healthReason", w."healthSince", w."lastProgressAt", w.source, w.version,
         w."archivedAt", w."createdAt", w."updatedAt", s.slug AS "summitSlug", s.name AS "summitName",
         ARRAY(SELECT wc."countryCode"::text FROM "WorkstreamCountry" wc WHERE wc."workstreamId" = w.id ORDER BY 1) AS "countryCodes",
         ARRAY(SELECT ws."sectorSlug" FROM "WorkstreamSector" ws WHERE ws."workstreamId" = w.id ORDER BY 1) AS "sectorSlugs"
  FROM "Workstream" w
  JOIN "Summit" s ON s.id = w."summitId"`;

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
    // One statement for the page and what each item shows. Loading the page with findMany + include
    // instead cost four more round trips and Prisma's row mapping, most of this route's time (bench:api).
    const rows = await this.prisma.$queryRaw<ListRow[]>`
      ${SELECT_WORKSTREAMS}
      WHERE ${Prisma.join(where, ' AND ')}
      ORDER BY w."createdAt" DESC, w.id DESC
      LIMIT ${filter.limit + 1}`;
    const cut = toPage(rows.map(toWorkstreamRow), filter.limit, CURSOR, (row) => ({ at: row.createdAt, id: row.id }));
    return { items: cut.items.map(toWorkstreamView), nextCursor: cut.nextCursor };
  }

  /**
   * One workstream by slug (or id), with its milestones in order and its history newest first: the
   * workstream as the list loads it, then its milestones and events side by side (three round trips;
   * findFirst + include took six, bench:api).
   */
  async get(slugOrId: string): Promise<WorkstreamDetailView> {
    const [row] = await this.prisma.$queryRaw<ListRow[]>`
      ${SELECT_WORKSTREAMS}
      WHERE w."archivedAt" IS NULL AND ${workstreamReferenceSql('w', [slugOrId])}
      LIMIT 1`;
    if (!row) throw new NotFoundError('Workstream', slugOrId);
    const [milestones, events] = await Promise.all([
      this.prisma.milestone.findMany({ where: { workstreamId: row.id }, orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
      this.prisma.event.findMany({ where: { workstreamId: row.id }, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] }),
    ]);
    return {
      ...toWorkstreamView(toWorkstreamRow(row)),
      milestones: milestones.map(toMilestoneView),
      history: events.map(toEventView),
    };
  }
}
