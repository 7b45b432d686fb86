import type { Prisma } from '@pledgewatch/database';
import { eventTypeName } from '@pledgewatch/events';

/** What every workstream answer loads: its summit, countries and sectors. */
export const WORKSTREAM_INCLUDE = {
  summit: { select: { slug: true, name: true } },
  countries: { select: { countryCode: true }, orderBy: { countryCode: 'asc' } },
  sectors: { select: { sectorSlug: true }, orderBy: { sectorSlug: 'asc' } },
} satisfies Prisma.WorkstreamInclude;

export type WorkstreamRow = Prisma.WorkstreamGetPayload<{ include: typeof WORKSTREAM_INCLUDE }>;
export type MilestoneRow = Prisma.MilestoneGetPayload<object>;
export type EventRow = Prisma.EventGetPayload<object>;

/** A calendar date column as `YYYY-MM-DD`. */
export const isoDate = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

const DAY_MS = 86_400_000;

/**
 * Whether editors owe the workstream a look: never reviewed, or not within the review window
 * (HEALTH_REVIEW_DAYS). Pages make it visible; the review queue lists it.
 */
export function isReviewDue(lastReviewedAt: Date | null, reviewDays: number, now = new Date()): boolean {
  return lastReviewedAt === null || now.getTime() - lastReviewedAt.getTime() > reviewDays * DAY_MS;
}

export const DEFAULT_REVIEW_DAYS = 90;

export function toWorkstreamView(row: WorkstreamRow, reviewDays = DEFAULT_REVIEW_DAYS) {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    summary: row.summary,
    summit: row.summit.slug,
    countries: row.countries.map((c) => c.countryCode),
    sectors: row.sectors.map((s) => s.sectorSlug),
    instrument: row.instrument,
    stage: row.stage,
    health: row.health,
    healthReason: row.healthReason,
    healthSince: row.healthSince.toISOString(),
    lastProgressAt: row.lastProgressAt?.toISOString() ?? null,
    /** The editors' last look at the sources: an explicit review or a published change. */
    lastReviewedAt: row.lastReviewedAt?.toISOString() ?? null,
    lastReviewedBy: row.lastReviewedBy ?? null,
    lastReviewNote: row.lastReviewNote ?? null,
    reviewDue: isReviewDue(row.lastReviewedAt, reviewDays),
    watchTerms: row.watchTerms ?? [],
    /** Filled from the latest StatusCheckRun (CheckRunsService), not stored per workstream. */
    lastCheckedAt: null as string | null,
    source: row.source ?? null,
    version: row.version,
    archived: row.archivedAt !== null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toMilestoneView(row: MilestoneRow) {
  return {
    id: row.id,
    workstreamId: row.workstreamId,
    title: row.title,
    plannedStart: isoDate(row.plannedStart),
    dueDate: isoDate(row.dueDate),
    datePrecision: row.datePrecision,
    actualStart: isoDate(row.actualStart),
    actualStartPrecision: row.actualStartPrecision,
    completedOn: isoDate(row.completedOn),
    completedOnPrecision: row.completedOnPrecision,
    status: row.status,
    dateBasis: row.dateBasis,
    evidenceUrl: row.evidenceUrl,
    note: row.note,
    position: row.position,
    version: row.version,
  };
}

export function toEventView(row: EventRow) {
  return {
    id: row.id,
    type: eventTypeName(row.type),
    workstreamId: row.workstreamId,
    milestoneId: row.milestoneId,
    from: row.from,
    to: row.to,
    reason: row.reason,
    actor: row.actor,
    occurredAt: row.occurredAt.toISOString(),
    notify: row.notify,
    note: row.note ?? null,
    evidenceUrl: row.evidenceUrl ?? null,
  };
}
