import type { DatePrecision } from '@pledgewatch/dates';
import { Injectable } from '@nestjs/common';
import { Health, MilestoneStatus, DateBasis, Prisma, PrismaService } from '@pledgewatch/database';
import { isoDate } from './workstream.view';

export type HealthCounts = Partial<Record<Health, number>>;

/** Workstreams by health: overall, per country and per sector. */
export interface HealthOverview {
  all: HealthCounts;
  byCountry: Record<string, HealthCounts>;
  bySector: Record<string, HealthCounts>;
}

/** A milestone with the workstream it belongs to, for lists across workstreams. */
export interface MilestoneWithWorkstream {
  id: string;
  title: string;
  dueDate: string;
  /** How much of the due date is known: shown as "March 2028", "Q1 2028", "2028". */
  datePrecision: DatePrecision;
  status: MilestoneStatus;
  dateBasis: DateBasis;
  evidenceUrl: string | null;
  workstream: { id: string; slug: string; title: string };
}

export interface UpcomingFilter {
  /** First and last day (UTC) of the window, inclusive. */
  from: Date;
  to: Date;
  countries?: string[];
  sectors?: string[];
  limit: number;
}

interface MilestoneSqlRow {
  id: string;
  title: string;
  dueDate: Date;
  datePrecision: DatePrecision;
  status: MilestoneStatus;
  dateBasis: DateBasis;
  evidenceUrl: string | null;
  workstreamId: string;
  slug: string;
  workstreamTitle: string;
}

const toMilestone = (row: MilestoneSqlRow): MilestoneWithWorkstream => ({
  id: row.id,
  title: row.title,
  dueDate: isoDate(row.dueDate)!,
  datePrecision: row.datePrecision,
  status: row.status,
  dateBasis: row.dateBasis,
  evidenceUrl: row.evidenceUrl,
  workstream: { id: row.workstreamId, slug: row.slug, title: row.workstreamTitle },
});

/** Milestones still to be done: the check's `overdue` ones included, `deferred` too (open, postponed). */
const OPEN = Prisma.sql`m.status IN ('not_started', 'in_progress', 'overdue', 'deferred')`;

/**
 * Set-based summaries over the public (non-archived) workstreams, for pages that show many of
 * them at once: one query each, whatever the number of workstreams.
 */
@Injectable()
export class WorkstreamsOverviewQuery {
  constructor(private readonly prisma: PrismaService) {}

  async healthOverview(): Promise<HealthOverview> {
    const rows = await this.prisma.$queryRaw<{ dim: 'all' | 'country' | 'sector'; key: string; health: Health; n: number }[]>`
      SELECT 'all' AS dim, '' AS key, w.health::text AS health, count(*)::int AS n
        FROM "Workstream" w WHERE w."archivedAt" IS NULL GROUP BY w.health
      UNION ALL
      SELECT 'country', wc."countryCode", w.health::text, count(*)::int
        FROM "Workstream" w JOIN "WorkstreamCountry" wc ON wc."workstreamId" = w.id
        WHERE w."archivedAt" IS NULL GROUP BY wc."countryCode", w.health
      UNION ALL
      SELECT 'sector', ws."sectorSlug", w.health::text, count(*)::int
        FROM "Workstream" w JOIN "WorkstreamSector" ws ON ws."workstreamId" = w.id
        WHERE w."archivedAt" IS NULL GROUP BY ws."sectorSlug", w.health`;
    const overview: HealthOverview = { all: {}, byCountry: {}, bySector: {} };
    for (const row of rows) {
      const counts = row.dim === 'all' ? overview.all : ((row.dim === 'country' ? overview.byCountry : overview.bySector)[row.key] ??= {});
      counts[row.health] = row.n;
    }
    return overview;
  }

  /** Open milestones due in [from, to], soonest first, of workstreams still under way. */
  upcomingMilestones(filter: UpcomingFilter): Promise<MilestoneWithWorkstream[]> {
    return this.openMilestones(Prisma.sql`m."dueDate" BETWEEN ${isoDate(filter.from)}::date AND ${isoDate(filter.to)}::date`, filter);
  }

  /**
   * Open milestones due before `before` (a day, UTC) of workstreams still under way, oldest first:
   * past due and not recorded as done, so awaiting an editor's review.
   */
  pastDueMilestones(filter: Omit<UpcomingFilter, 'from' | 'to'> & { before: Date }): Promise<MilestoneWithWorkstream[]> {
    return this.openMilestones(Prisma.sql`m."dueDate" < ${isoDate(filter.before)}::date`, filter);
  }

  private async openMilestones(due: Prisma.Sql, filter: Pick<UpcomingFilter, 'countries' | 'sectors' | 'limit'>): Promise<MilestoneWithWorkstream[]> {
    const where: Prisma.Sql[] = [
      Prisma.sql`w."archivedAt" IS NULL`,
      Prisma.sql`w.stage IN ('pipeline', 'implementation', 'finalisation')`,
      OPEN,
      due,
    ];
    if (filter.countries?.length) {
      where.push(Prisma.sql`EXISTS (SELECT 1 FROM "WorkstreamCountry" wc WHERE wc."workstreamId" = w.id AND wc."countryCode" IN (${Prisma.join(filter.countries)}))`);
    }
    if (filter.sectors?.length) {
      where.push(Prisma.sql`EXISTS (SELECT 1 FROM "WorkstreamSector" ws WHERE ws."workstreamId" = w.id AND ws."sectorSlug" IN (${Prisma.join(filter.sectors)}))`);
    }
    const rows = await this.prisma.$queryRaw<MilestoneSqlRow[]>`
      SELECT m.id, m.title, m."dueDate", m.status::text AS status, m."dateBasis"::text AS "dateBasis", m."datePrecision"::text AS "datePrecision", m."evidenceUrl",
             w.id AS "workstreamId", w.slug, w.title AS "workstreamTitle"
      FROM "Milestone" m JOIN "Workstream" w ON w.id = m."workstreamId"
      WHERE ${Prisma.join(where, ' AND ')}
      ORDER BY m."dueDate", w.title, m.position
      LIMIT ${filter.limit}`;
    return rows.map(toMilestone);
  }

  /** Each workstream's next open milestone (earliest due; overdue ones first by nature), by workstream id. */
  async nextMilestones(workstreamIds: string[]): Promise<Map<string, MilestoneWithWorkstream>> {
    if (workstreamIds.length === 0) return new Map();
    const rows = await this.prisma.$queryRaw<MilestoneSqlRow[]>`
      SELECT DISTINCT ON (m."workstreamId")
             m.id, m.title, m."dueDate", m.status::text AS status, m."dateBasis"::text AS "dateBasis", m."datePrecision"::text AS "datePrecision", m."evidenceUrl",
             w.id AS "workstreamId", w.slug, w.title AS "workstreamTitle"
      FROM "Milestone" m JOIN "Workstream" w ON w.id = m."workstreamId"
      WHERE m."workstreamId" IN (${Prisma.join(workstreamIds.map((id) => Prisma.sql`${id}::uuid`))}) AND ${OPEN}
      ORDER BY m."workstreamId", m."dueDate", m.position`;
    return new Map(rows.map((row) => [row.workstreamId, toMilestone(row)]));
  }
}
