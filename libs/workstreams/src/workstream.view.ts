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

export function toWorkstreamView(row: WorkstreamRow) {
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
    actualStart: isoDate(row.actualStart),
    completedOn: isoDate(row.completedOn),
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
  };
}
