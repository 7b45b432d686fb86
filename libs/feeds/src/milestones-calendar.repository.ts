import { Injectable } from '@nestjs/common';
import type { DatePrecision } from '@pledgewatch/dates';
import { DateBasis, MilestoneStatus, Prisma, PrismaService, workstreamReferenceSql } from '@pledgewatch/database';

/** The calendar's filters: as the change log's (lists match any value; fields must all match). */
export interface MilestoneFeedFilter {
  countries?: string[];
  sectors?: string[];
  /** Workstream slugs or ids. */
  workstreams?: string[];
}

export interface CalendarMilestone {
  id: string;
  title: string;
  dueDate: Date;
  /** How much of the due date is known; the date is the period's last day. */
  datePrecision: DatePrecision;
  status: MilestoneStatus;
  dateBasis: DateBasis;
  evidenceUrl: string | null;
  note: string | null;
  version: number;
  /** The later of the milestone's and its workstream's last change: the VEVENT's DTSTAMP. */
  revisedAt: Date;
  workstreamSlug: string;
  workstreamTitle: string;
}

export interface CalendarFingerprint {
  count: number;
  revisedAt: Date | null;
}


/** Milestones of live (not archived) workstreams, for the calendar feed: keyset batches by id. */
@Injectable()
export class MilestonesCalendarRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One batch of milestones with an id after `afterId`, in id order. */
  batch(filter: MilestoneFeedFilter, afterId: string | null, size: number): Promise<CalendarMilestone[]> {
    const after = afterId ? Prisma.sql`AND m.id > ${afterId}::uuid` : Prisma.empty;
    return this.prisma.$queryRaw<CalendarMilestone[]>`
      SELECT m.id::text AS id, m.title, m."dueDate", m."datePrecision"::text AS "datePrecision", m.status::text AS status, m."dateBasis"::text AS "dateBasis",
             m."evidenceUrl", m.note, m.version, GREATEST(m."updatedAt", w."updatedAt") AS "revisedAt",
             w.slug AS "workstreamSlug", w.title AS "workstreamTitle"
        FROM "Milestone" m
        JOIN "Workstream" w ON w.id = m."workstreamId"
       WHERE ${where(filter)} ${after}
       ORDER BY m.id
       LIMIT ${size}`;
  }

  /** How many milestones the filter shows and their latest change: what the calendar's ETag rests on. */
  async fingerprint(filter: MilestoneFeedFilter): Promise<CalendarFingerprint> {
    const [row] = await this.prisma.$queryRaw<{ count: number; revisedAt: Date | null }[]>`
      SELECT count(*)::int AS count, max(GREATEST(m."updatedAt", w."updatedAt")) AS "revisedAt"
        FROM "Milestone" m
        JOIN "Workstream" w ON w.id = m."workstreamId"
       WHERE ${where(filter)}`;
    return row;
  }
}

function where(filter: MilestoneFeedFilter): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`w."archivedAt" IS NULL`];
  if (filter.countries?.length) {
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "WorkstreamCountry" wc
      WHERE wc."workstreamId" = w.id AND wc."countryCode" IN (${Prisma.join(filter.countries)}))`);
  }
  if (filter.sectors?.length) {
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "WorkstreamSector" ws
      WHERE ws."workstreamId" = w.id AND ws."sectorSlug" IN (${Prisma.join(filter.sectors)}))`);
  }
  if (filter.workstreams?.length) {
    conditions.push(workstreamReferenceSql('w', filter.workstreams));
  }
  return Prisma.join(conditions, ' AND ');
}
