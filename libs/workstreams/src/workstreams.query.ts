import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { Health, Instrument, Prisma, PrismaService, Stage, workstreamReferenceSql } from '@pledgewatch/database';
import { Page, SortKeyCursor, SortKeyKind } from '@pledgewatch/pagination';
import { NotFoundError, ValidationError } from '@pledgewatch/problems';
import { toEventView, toMilestoneView, toWorkstreamView, WorkstreamRow } from './workstream.view';

/** The orders of the public list; `relevance` needs `q`. */
export const WORKSTREAM_SORTS = ['relevance', 'severity', 'due', 'changed', 'title', 'newest'] as const;
export type WorkstreamSort = (typeof WORKSTREAM_SORTS)[number];

/** Worst first: the severity sort (a value the list does not know sorts last). */
export const HEALTH_SEVERITY: readonly Health[] = ['off_track', 'at_risk', 'stalled', 'unknown', 'on_track', 'complete', 'inactive'];

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
  instruments?: Instrument[];
  /** Summit slugs. */
  summits?: string[];
  /** true: only those not reviewed within the review window (or never); false: only those reviewed within it. */
  reviewDue?: boolean;
  /**
   * Full-text search (PostgreSQL websearch syntax: words, "a phrase", or, -word) over the title,
   * summary, source quote, slug words and country and sector names; English stemming.
   */
  q?: string;
  /** Default: `relevance` with `q`, else `newest`. */
  sort?: WorkstreamSort;
  /** With `q`: each item's title and an excerpt of its summary with the matches marked (HIGHLIGHT_START/END). */
  highlight?: boolean;
  limit: number;
  /** A nextCursor from the previous page (of the same sort). */
  cursor?: string;
}

/** Marks around a match in a highlighted title or excerpt (control characters no stored text holds). */
export const HIGHLIGHT_START = '\u0002';
export const HIGHLIGHT_END = '\u0003';

export type WorkstreamView = ReturnType<typeof toWorkstreamView>;
/** A list item; `highlight` only when asked for with `q`. */
export type WorkstreamListItem = WorkstreamView & { highlight?: { title: string; excerpt: string } };
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
const WORKSTREAM_COLUMNS = Prisma.sql`
         w.id, w.slug, w.title, w.summary, w."summitId", w.instrument::text AS instrument, w.stage::text AS stage,
         w.health::text AS health, w."healthReason", w."healthKey", w."healthSince", w."lastProgressAt", w."lastReviewedAt",
         w."lastReviewedBy", w."lastReviewNote", w."watchTerms", w.source, w.version,
         w."archivedAt", w."createdAt", w."updatedAt", s.slug AS "summitSlug", s.name AS "summitName",
         ARRAY(SELECT wc."countryCode"::text FROM "WorkstreamCountry" wc WHERE wc."workstreamId" = w.id ORDER BY 1) AS "countryCodes",
         ARRAY(SELECT ws."sectorSlug" FROM "WorkstreamSector" ws WHERE ws."workstreamId" = w.id ORDER BY 1) AS "sectorSlugs"`;
const SELECT_WORKSTREAMS = Prisma.sql`SELECT ${WORKSTREAM_COLUMNS} FROM "Workstream" w JOIN "Summit" s ON s.id = w."summitId"`;

const CURSOR = new SortKeyCursor('workstreams');

/** Open milestones (the check's overdue and deferred ones included): what "next due" looks at. */
const OPEN_MILESTONE = Prisma.sql`m.status IN ('not_started', 'in_progress', 'overdue', 'deferred')`;

/**
 * Each order as its sort keys (alias `w`; `query` is the tsquery of `q`), all in one direction so a
 * row comparison finds the rows after a cursor; the id breaks ties. Keys travel in the cursor as text.
 */
const ORDERS: Record<WorkstreamSort, { keys: (query: Prisma.Sql) => { sql: Prisma.Sql; kind: SortKeyKind }[]; descending: boolean }> = {
  relevance: { descending: true, keys: (query) => [{ sql: Prisma.sql`ts_rank(search.document, ${query})`, kind: 'real' }] },
  severity: {
    descending: false,
    keys: () => [
      { sql: Prisma.sql`COALESCE(array_position(ARRAY[${Prisma.join(HEALTH_SEVERITY)}]::text[], w.health::text), ${HEALTH_SEVERITY.length + 1})`, kind: 'int' },
      // Longest in that state first.
      { sql: Prisma.sql`w."healthSince"`, kind: 'timestamp' },
    ],
  },
  due: {
    descending: false,
    keys: () => [
      {
        sql: Prisma.sql`COALESCE((SELECT min(m."dueDate") FROM "Milestone" m WHERE m."workstreamId" = w.id AND ${OPEN_MILESTONE}), 'infinity'::date)`,
        kind: 'date',
      },
    ],
  },
  changed: {
    descending: true,
    keys: () => [{ sql: Prisma.sql`COALESCE((SELECT max(e."occurredAt") FROM "Event" e WHERE e."workstreamId" = w.id), w."createdAt")`, kind: 'timestamp' }],
  },
  title: { descending: false, keys: () => [{ sql: Prisma.sql`w.title`, kind: 'text' }] },
  newest: { descending: true, keys: () => [{ sql: Prisma.sql`w."createdAt"`, kind: 'timestamp' }] },
};

const SQL_TYPES: Record<SortKeyKind, string> = { int: 'int', real: 'real', timestamp: 'timestamp', date: 'date', text: 'text', uuid: 'uuid' };

/** The tsquery of a search: the same unit spelling the documents get (see the workstream_search migration). */
const tsquery = (q: string) => Prisma.sql`websearch_to_tsquery('english', pw_search_units(${q}))`;

const HEADLINE_OPTIONS = `StartSel=${HIGHLIGHT_START}, StopSel=${HIGHLIGHT_END}`;

/**
 * The workstreams a filter reads, alias `w`, and with `q` their search documents, alias `search`
 * (a table of their own, kept by triggers: the workstream_search migration).
 */
function fromOf(filter: Pick<WorkstreamFilter, 'q'>): Prisma.Sql {
  return filter.q === undefined
    ? Prisma.sql`"Workstream" w`
    : Prisma.sql`"WorkstreamSearch" search JOIN "Workstream" w ON w.id = search."workstreamId"`;
}

/** The filter's conditions on `w` (never an archived workstream) and `search`; `query` is the tsquery of `q`. */
function whereOf(filter: Omit<WorkstreamFilter, 'limit' | 'cursor' | 'sort'>, query: Prisma.Sql, reviewDays: number): Prisma.Sql {
  const where: Prisma.Sql[] = [Prisma.sql`w."archivedAt" IS NULL`];
  if (filter.reviewDue !== undefined) {
    // The view's isReviewDue, in SQL: never reviewed, or not within the window.
    const due = Prisma.sql`(w."lastReviewedAt" IS NULL OR w."lastReviewedAt" < (now() AT TIME ZONE 'UTC') - make_interval(days => ${reviewDays}::int))`;
    where.push(filter.reviewDue ? due : Prisma.sql`NOT ${due}`);
  }
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
  if (filter.instruments?.length) {
    where.push(Prisma.sql`w.instrument IN (${Prisma.join(filter.instruments.map((i) => Prisma.sql`CAST(${i} AS "Instrument")`))})`);
  }
  if (filter.summits?.length) {
    where.push(Prisma.sql`w."summitId" IN (SELECT s.id FROM "Summit" s WHERE s.slug IN (${Prisma.join(filter.summits)}))`);
  }
  if (filter.q !== undefined) where.push(Prisma.sql`search.document @@ ${query}`);
  return Prisma.join(where, ' AND ');
}

/** What the public sees of workstreams: never the archived ones. */
@Injectable()
export class WorkstreamsQuery {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  /** A keyset page in the filter's order (relevance with `q`, else newest first). */
  async list(filter: WorkstreamFilter): Promise<Page<WorkstreamListItem>> {
    const sort = filter.sort ?? (filter.q !== undefined ? 'relevance' : 'newest');
    if (sort === 'relevance' && filter.q === undefined) {
      throw new ValidationError([{ field: 'sort', code: 'invalid_value', message: 'relevance needs a search (q)' }], 'The query has invalid parameters.');
    }
    const query = filter.q === undefined ? Prisma.empty : tsquery(filter.q);
    const order = ORDERS[sort];
    const keys = order.keys(query);
    const kinds: SortKeyKind[] = [...keys.map((k) => k.kind), 'uuid'];
    const after = filter.cursor === undefined ? undefined : CURSOR.decode(filter.cursor, sort, kinds);

    const where = whereOf(filter, query, this.config.healthReviewDays);

    const keyColumns = Prisma.join(keys.map((k, i) => Prisma.sql`${k.sql} AS ${Prisma.raw(`k${i}`)}`));
    const keyNames = keys.map((_, i) => `k.k${i}`).concat('k.id');
    const direction = order.descending ? 'DESC' : 'ASC';
    const afterCursor = after
      ? Prisma.sql`WHERE (${Prisma.raw(keyNames.join(', '))}) ${Prisma.raw(order.descending ? '<' : '>')}
          (${Prisma.join(after.map((value, i) => Prisma.sql`CAST(${value} AS ${Prisma.raw(SQL_TYPES[kinds[i]])})`))})`
      : Prisma.empty;
    // Matches are marked in the text as written ("97-metre"), which the documents' unit spelling
    // ("97 m") does not share: the query as typed joins the one the index answers.
    const marked = filter.q === undefined ? Prisma.empty : Prisma.sql`(${query} || websearch_to_tsquery('english', ${filter.q}))`;
    const highlight =
      filter.highlight && filter.q !== undefined
        ? Prisma.sql`, ts_headline('english', w.title, ${marked}, ${`${HEADLINE_OPTIONS}, HighlightAll=true`}) AS "highlightTitle",
            ts_headline('english', w.summary, ${marked}, ${`${HEADLINE_OPTIONS}, MaxWords=40, MinWords=20, MaxFragments=2, FragmentDelimiter=" … "`}) AS "highlightExcerpt"`
        : Prisma.empty;
    // The page's keys first (an index or the GIN index finds the rows; only the page is joined and
    // loaded), then what each item shows, in one statement (bench:api, bench:search).
    const rows = await this.prisma.$queryRaw<(ListRow & Record<string, string> & { highlightTitle?: string; highlightExcerpt?: string })[]>`
      WITH page AS (
        SELECT * FROM (SELECT w.id, ${keyColumns} FROM ${fromOf(filter)} WHERE ${where}) k
        ${afterCursor}
        ORDER BY ${Prisma.raw(keyNames.map((name) => `${name} ${direction}`).join(', '))}
        LIMIT ${filter.limit + 1}
      )
      SELECT ${WORKSTREAM_COLUMNS}, ${Prisma.join(keys.map((_, i) => Prisma.sql`page.${Prisma.raw(`k${i}`)}::text AS ${Prisma.raw(`"k${i}"`)}`))} ${highlight}
      FROM page JOIN "Workstream" w ON w.id = page.id JOIN "Summit" s ON s.id = w."summitId"
      ORDER BY ${Prisma.raw(keyNames.map((name) => `${name.replace('k.', 'page.')} ${direction}`).join(', '))}`;
    const items = rows.slice(0, filter.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > filter.limit && last ? CURSOR.encode(sort, [...keys.map((_, i) => last[`k${i}`]), last.id]) : null;
    return {
      items: items.map((row) => {
        const view = toWorkstreamView(toWorkstreamRow(row), this.config.healthReviewDays);
        return row.highlightTitle === undefined ? view : { ...view, highlight: { title: row.highlightTitle, excerpt: row.highlightExcerpt ?? '' } };
      }),
      nextCursor,
    };
  }

  /** How many workstreams the filter matches, by health (what a filtered list's bar shows). */
  async healthCounts(filter: Omit<WorkstreamFilter, 'limit' | 'cursor' | 'sort'>): Promise<Partial<Record<Health, number>>> {
    const query = filter.q === undefined ? Prisma.empty : tsquery(filter.q);
    const rows = await this.prisma.$queryRaw<{ health: Health; n: number }[]>`
      SELECT w.health::text AS health, count(*)::int AS n FROM ${fromOf(filter)} WHERE ${whereOf(filter, query, this.config.healthReviewDays)} GROUP BY w.health`;
    return Object.fromEntries(rows.map((row) => [row.health, row.n]));
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
      ...toWorkstreamView(toWorkstreamRow(row), this.config.healthReviewDays),
      milestones: milestones.map(toMilestoneView),
      history: events.map(toEventView),
    };
  }
}
