import { Injectable } from '@nestjs/common';
import { Milestone, Prisma, PrismaService, workstreamReferenceSql } from '@pledgewatch/database';
import { assertCurrentVersion, isUuid, NotFoundError, VersionConflictError } from '@pledgewatch/problems';
import { WORKSTREAM_INCLUDE, WorkstreamRow } from './workstream.view';

type Tx = Prisma.TransactionClient;


export interface ReviewStamp {
  workstreamId: string;
  at: Date;
  reviewer: string;
  apiKeyId?: string | null;
  /** `review`: checked, nothing new; `change`: stamped by an editorial write. */
  kind: 'review' | 'change';
  note: string;
  evidence?: { url: string; title?: string; publisher?: string; publishedOn?: string }[];
}

export interface Locked {
  id: string;
  version: number;
}

export interface TransactionLimits {
  /** How long to wait for a connection from the pool. */
  maxWait: number;
  /** How long the whole transaction may take before it is rolled back. */
  timeout: number;
}

/**
 * The admin write side's I/O. Every write path locks the workstream row first (then, when it needs
 * one, the milestone row): writers of one workstream queue up behind each other, so the health each
 * one recomputes is over the milestones as the previous writer committed them.
 */
@Injectable()
export class WorkstreamsRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(work: (tx: Tx) => Promise<T>, limits: TransactionLimits): Promise<T> {
    return this.prisma.$transaction(work, limits);
  }

  /**
   * The start of every write to a workstream: locks it (lockWorkstream) and checks If-Match.
   * Not found or archived → NotFoundError (404); a stale expected version → VersionConflictError (409).
   */
  async lockCurrentWorkstream(tx: Tx, reference: string, expectedVersion: number | undefined): Promise<Locked> {
    const locked = await this.lockWorkstream(tx, reference);
    if (!locked) throw new NotFoundError('Workstream', reference);
    assertCurrentVersion(expectedVersion, locked.version);
    return locked;
  }

  /** An active (not archived) workstream by id or slug, locked FOR UPDATE until the transaction ends. */
  async lockWorkstream(tx: Tx, reference: string): Promise<Locked | null> {
    const [locked] = await tx.$queryRaw<Locked[]>`
      SELECT w.id, w.version FROM "Workstream" w WHERE ${workstreamReferenceSql('w', [reference])} AND w."archivedAt" IS NULL FOR UPDATE`;
    return locked ?? null;
  }

  /** The workstream a milestone belongs to, if the milestone exists (not locked). */
  async workstreamOfMilestone(tx: Tx, milestoneId: string): Promise<string | null> {
    if (!isUuid(milestoneId)) return null;
    const row = await tx.milestone.findUnique({ where: { id: milestoneId }, select: { workstreamId: true } });
    return row?.workstreamId ?? null;
  }

  /** Call with the workstream already locked. */
  async lockMilestone(tx: Tx, milestoneId: string): Promise<Milestone | null> {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Milestone" WHERE id = ${milestoneId}::uuid FOR UPDATE`;
    return locked ? tx.milestone.findUnique({ where: { id: locked.id } }) : null;
  }

  async loadWorkstream(tx: Tx, id: string): Promise<WorkstreamRow> {
    const [row] = await this.loadWorkstreams(tx, [id]);
    if (!row) throw new NotFoundError('Workstream', id);
    return row;
  }

  /**
   * What `include: WORKSTREAM_INCLUDE` loads, one query after another. Given two or more sibling
   * relations, Prisma's query interpreter (7.10) loads them concurrently, which inside a
   * transaction means concurrent queries on its one pg client: pg 8 warns "already executing a
   * query", pg 9 refuses (prisma/orm#29407). One relation per query keeps the connection serial.
   */
  async loadWorkstreams(tx: Tx, ids: string[]): Promise<WorkstreamRow[]> {
    const rows = await tx.workstream.findMany({ where: { id: { in: ids } }, include: { summit: WORKSTREAM_INCLUDE.summit } });
    const countries = await tx.workstreamCountry.findMany({
      where: { workstreamId: { in: ids } },
      select: { workstreamId: true, countryCode: true },
      orderBy: WORKSTREAM_INCLUDE.countries.orderBy,
    });
    const sectors = await tx.workstreamSector.findMany({
      where: { workstreamId: { in: ids } },
      select: { workstreamId: true, sectorSlug: true },
      orderBy: WORKSTREAM_INCLUDE.sectors.orderBy,
    });
    const byWorkstream = <T extends { workstreamId: string }>(links: T[]) => {
      const grouped = new Map<string, T[]>();
      for (const link of links) {
        const list = grouped.get(link.workstreamId);
        if (list) list.push(link);
        else grouped.set(link.workstreamId, [link]);
      }
      return grouped;
    };
    const countriesOf = byWorkstream(countries);
    const sectorsOf = byWorkstream(sectors);
    return rows.map((row) => ({
      ...row,
      countries: (countriesOf.get(row.id) ?? []).map(({ countryCode }) => ({ countryCode })),
      sectors: (sectorsOf.get(row.id) ?? []).map(({ sectorSlug }) => ({ sectorSlug })),
    }));
  }

  milestonesOf(tx: Tx, workstreamIds: string[]): Promise<Milestone[]> {
    return tx.milestone.findMany({
      where: { workstreamId: { in: workstreamIds } },
      orderBy: [{ position: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  findMilestone(tx: Tx, id: string): Promise<Milestone> {
    return tx.milestone.findUniqueOrThrow({ where: { id } });
  }

  /**
   * Records that an editor looked at the workstream: a Review row (kept, so health as of a past
   * date counts only the reviews made by then). Answers the workstream's last-review stamp, for
   * the caller to write with the rest of its update (one UPDATE of the workstream per write).
   */
  async stampReview(tx: Tx, review: ReviewStamp): Promise<{ lastReviewedAt: Date; lastReviewedBy: string; lastReviewNote: string }> {
    await this.insertReviews(tx, [review]);
    return { lastReviewedAt: review.at, lastReviewedBy: review.reviewer, lastReviewNote: review.note };
  }

  /** Open workstreams not reviewed within `reviewDays` (or never), the longest unreviewed first. */
  reviewsDue(limit: number, reviewDays: number) {
    return this.prisma.$queryRaw<
      { id: string; slug: string; title: string; health: string; healthReason: string; lastReviewedAt: Date | null; lastReviewedBy: string | null; lastReviewNote: string | null }[]
    >`
      SELECT w.id, w.slug, w.title, w.health::text AS health, w."healthReason", w."lastReviewedAt", w."lastReviewedBy", w."lastReviewNote"
      FROM "Workstream" w
      WHERE w."archivedAt" IS NULL
        AND (w."lastReviewedAt" IS NULL
             OR w."lastReviewedAt" < (now() AT TIME ZONE 'UTC') - make_interval(days => ${reviewDays}::int))
      ORDER BY w."lastReviewedAt" ASC NULLS FIRST, w.id
      LIMIT ${limit}::int`;
  }

  /** Review rows (their workstreams' stamps are the caller's to write). */
  async insertReviews(tx: Tx, reviews: ReviewStamp[]): Promise<void> {
    await tx.review.createMany({
      data: reviews.map((r) => ({
        workstreamId: r.workstreamId,
        reviewedAt: r.at,
        reviewer: r.reviewer,
        apiKeyId: r.apiKeyId ?? null,
        kind: r.kind,
        note: r.note,
        evidence: r.evidence ?? [],
      })),
    });
  }

  async nextMilestonePosition(tx: Tx, workstreamId: string): Promise<number> {
    const { _max } = await tx.milestone.aggregate({ where: { workstreamId }, _max: { position: true } });
    return (_max.position ?? 0) + 1;
  }

  /**
   * UPDATE … WHERE id = $1 AND version = $2 (when the client sent If-Match), bumping the version.
   * No row updated means someone else's write won: 409 with the version that is current now.
   */
  async updateWorkstreamVersioned(tx: Tx, id: string, expectedVersion: number | undefined, data: Prisma.WorkstreamUpdateManyMutationInput): Promise<void> {
    const { count } = await tx.workstream.updateMany({
      where: { id, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) },
      data: { ...data, version: { increment: 1 } },
    });
    if (count === 0) {
      const current = await tx.workstream.findUnique({ where: { id }, select: { version: true } });
      throw new VersionConflictError(expectedVersion ?? 0, current?.version ?? 0);
    }
  }

  async updateMilestoneVersioned(tx: Tx, id: string, expectedVersion: number | undefined, data: Prisma.MilestoneUpdateManyMutationInput): Promise<void> {
    const { count } = await tx.milestone.updateMany({
      where: { id, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) },
      data: { ...data, version: { increment: 1 } },
    });
    if (count === 0) {
      const current = await tx.milestone.findUnique({ where: { id }, select: { version: true } });
      throw new VersionConflictError(expectedVersion ?? 0, current?.version ?? 0);
    }
  }

  async replaceCountries(tx: Tx, workstreamId: string, codes: string[]): Promise<void> {
    await tx.workstreamCountry.deleteMany({ where: { workstreamId } });
    await tx.workstreamCountry.createMany({ data: codes.map((countryCode) => ({ workstreamId, countryCode })) });
  }

  async replaceSectors(tx: Tx, workstreamId: string, slugs: string[]): Promise<void> {
    await tx.workstreamSector.deleteMany({ where: { workstreamId } });
    await tx.workstreamSector.createMany({ data: slugs.map((sectorSlug) => ({ workstreamId, sectorSlug })) });
  }

  insertMilestone(tx: Tx, data: Prisma.MilestoneUncheckedCreateInput): Promise<Milestone> {
    return tx.milestone.create({ data });
  }

  /** New workstreams with their countries, sectors and milestones: one statement per table. */
  async insertWorkstreams(
    tx: Tx,
    rows: {
      workstreams: Prisma.WorkstreamCreateManyInput[];
      countries: Prisma.WorkstreamCountryCreateManyInput[];
      sectors: Prisma.WorkstreamSectorCreateManyInput[];
      milestones: Prisma.MilestoneCreateManyInput[];
    },
  ): Promise<void> {
    await tx.workstream.createMany({ data: rows.workstreams });
    await tx.workstreamCountry.createMany({ data: rows.countries });
    await tx.workstreamSector.createMany({ data: rows.sectors });
    if (rows.milestones.length) await tx.milestone.createMany({ data: rows.milestones });
  }

  // --- reference data -------------------------------------------------------------------------

  async summitIds(tx: Tx, slugs: string[]): Promise<Map<string, string>> {
    const rows = await tx.summit.findMany({ where: { slug: { in: slugs } }, select: { id: true, slug: true } });
    return new Map(rows.map((r) => [r.slug, r.id]));
  }

  async existingCountries(tx: Tx, codes: string[]): Promise<Set<string>> {
    const rows = await tx.country.findMany({ where: { code: { in: codes } }, select: { code: true } });
    return new Set(rows.map((r) => r.code));
  }

  async existingSectors(tx: Tx, slugs: string[]): Promise<Set<string>> {
    const rows = await tx.sector.findMany({ where: { slug: { in: slugs } }, select: { slug: true } });
    return new Set(rows.map((r) => r.slug));
  }

  /**
   * Serialises creations that would pick from the same slugs, until the transaction ends: the next
   * one then sees the previous one's slug as taken instead of failing on the unique index.
   * Sorted, so two bulk imports cannot deadlock on each other.
   */
  async lockSlugs(tx: Tx, slugs: string[]): Promise<void> {
    if (slugs.length === 0) return;
    // pg_advisory_xact_lock returns void, which a raw query cannot deserialise: execute, not query.
    await tx.$executeRaw`
      SELECT pg_advisory_xact_lock(hashtext('workstream-slug'), hashtext(s))
      FROM (SELECT DISTINCT unnest(${slugs}::text[]) AS s ORDER BY 1) AS slugs`;
  }

  /** Slugs in use (archived workstreams keep theirs) that equal one of `slugs` or extend one with `-n`. */
  async slugsInUse(tx: Tx, slugs: string[]): Promise<Set<string>> {
    if (slugs.length === 0) return new Set();
    const rows = await tx.$queryRaw<{ slug: string }[]>`
      SELECT slug FROM "Workstream"
      WHERE slug = ANY(${slugs}::text[])
         OR substring(slug FROM '^(.*)-[0-9]+$') = ANY(${slugs}::text[])`;
    return new Set(rows.map((r) => r.slug));
  }
}
