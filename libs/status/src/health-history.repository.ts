import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@pledgewatch/database';

/** The reads "health as of a date" needs: the recorded history and the rows as they stand. */
@Injectable()
export class HealthHistoryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The last health recorded by `end` (a health change, or the health a creation carries). */
  async lastRecorded(workstreamId: string, end: Date): Promise<{ to: string | null; reason: string; occurredAt: Date } | null> {
    // At one instant a health change follows the creation it may accompany.
    const [recorded] = await this.prisma.$queryRaw<{ to: string | null; reason: string; occurredAt: Date }[]>`
      SELECT e."to", e.reason, e."occurredAt"
      FROM "Event" e
      WHERE e."workstreamId" = ${workstreamId}::uuid
        AND e.type IN ('workstream.health_changed', 'workstream.created')
        AND e."occurredAt" <= (${end.toISOString()}::timestamptz AT TIME ZONE 'UTC')
      ORDER BY e."occurredAt" DESC, (e.type = 'workstream.health_changed') DESC, e.id DESC
      LIMIT 1`;
    return recorded ?? null;
  }

  /** The workstream with the milestones that existed by `end`. */
  findWithMilestonesBy(workstreamId: string, end: Date) {
    return this.prisma.workstream.findUniqueOrThrow({
      where: { id: workstreamId },
      select: {
        stage: true,
        createdAt: true,
        milestones: { where: { createdAt: { lte: end } } },
      },
    });
  }

  /** When editors looked at the workstream, up to `end`: only those reviews count as of then. */
  async reviewsBy(workstreamId: string, end: Date): Promise<Date[]> {
    const rows = await this.prisma.review.findMany({ where: { workstreamId, reviewedAt: { lte: end } }, select: { reviewedAt: true } });
    return rows.map((r) => r.reviewedAt);
  }

  /** The stage then, from the stage change events: the last by `end`, else what the first later one started from; null when none. */
  async stageBy(workstreamId: string, end: Date): Promise<string | null> {
    const at = Prisma.sql`(${end.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
    const [row] = await this.prisma.$queryRaw<{ stage: string | null }[]>`
      SELECT coalesce(
        (SELECT e."to" FROM "Event" e WHERE e."workstreamId" = ${workstreamId}::uuid AND e.type = 'workstream.stage_changed'
           AND e."occurredAt" <= ${at} ORDER BY e."occurredAt" DESC, e.id DESC LIMIT 1),
        (SELECT e."from" FROM "Event" e WHERE e."workstreamId" = ${workstreamId}::uuid AND e.type = 'workstream.stage_changed'
           AND e."occurredAt" > ${at} ORDER BY e."occurredAt", e.id LIMIT 1)) AS stage`;
    return row?.stage ?? null;
  }
}
