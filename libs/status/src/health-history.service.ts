import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { Health, Prisma, PrismaService, Stage } from '@pledgewatch/database';
import { evaluateHealth } from './evaluate-health';

export interface HealthAsOf {
  /** The day asked about, `YYYY-MM-DD`; the answer holds at its end (23:59:59.999 UTC). */
  asOf: string;
  health: Health;
  healthReason: string;
  /** When that health began, if the history says; null when it was computed. */
  healthSince: string | null;
  /** `history`: the last recorded health by then; `computed`: no record, evaluated from the rows. */
  healthSource: 'history' | 'computed';
}

const HEALTH_VALUES = new Set<string>(Object.values(Health));
const STAGE_VALUES = new Set<string>(Object.values(Stage));

/**
 * "Health as of 2024-06-30" (SPEC §1). The history is the authority: the last health the service
 * recorded by the end of that day (a `workstream.health_changed`, or the health a
 * `workstream.created` event carries). Before any such record, the rules are applied to the rows
 * as they stood then: the stage from its change events, milestones added later left out, later
 * completions and progress not yet counted (evaluateHealth is as-of aware).
 */
@Injectable()
export class HealthHistoryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  async healthAsOf(workstreamId: string, day: string): Promise<HealthAsOf> {
    const end = new Date(`${day}T23:59:59.999Z`);
    // At one instant a health change follows the creation it may accompany.
    const [recorded] = await this.prisma.$queryRaw<{ to: string | null; reason: string; occurredAt: Date }[]>`
      SELECT e."to", e.reason, e."occurredAt"
      FROM "Event" e
      WHERE e."workstreamId" = ${workstreamId}::uuid
        AND e.type IN ('workstream.health_changed', 'workstream.created')
        AND e."occurredAt" <= (${end.toISOString()}::timestamptz AT TIME ZONE 'UTC')
      ORDER BY e."occurredAt" DESC, (e.type = 'workstream.health_changed') DESC, e.id DESC
      LIMIT 1`;
    // A created event's `to` is a health only where the writer put one there.
    if (recorded?.to && HEALTH_VALUES.has(recorded.to)) {
      return {
        asOf: day,
        health: recorded.to as Health,
        healthReason: recorded.reason,
        healthSince: recorded.occurredAt.toISOString(),
        healthSource: 'history',
      };
    }

    const workstream = await this.prisma.workstream.findUniqueOrThrow({
      where: { id: workstreamId },
      select: {
        stage: true,
        lastProgressAt: true,
        createdAt: true,
        milestones: { where: { createdAt: { lte: end } }, select: { title: true, status: true, dueDate: true, completedOn: true, dateBasis: true } },
      },
    });
    if (workstream.createdAt > end) {
      return { asOf: day, health: 'unknown', healthReason: `Not tracked yet on ${day}.`, healthSince: null, healthSource: 'computed' };
    }
    const stage = await this.stageAsOf(workstreamId, end, workstream.stage);
    const verdict = evaluateHealth({ ...workstream, stage }, workstream.milestones, end, this.config.healthWindows);
    return { asOf: day, health: verdict.health, healthReason: verdict.reason, healthSince: null, healthSource: 'computed' };
  }

  /** The stage then: the last stage change by `end`, else what the first later change started from, else today's. */
  private async stageAsOf(workstreamId: string, end: Date, current: Stage): Promise<Stage> {
    const at = Prisma.sql`(${end.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
    const [row] = await this.prisma.$queryRaw<{ stage: string | null }[]>`
      SELECT coalesce(
        (SELECT e."to" FROM "Event" e WHERE e."workstreamId" = ${workstreamId}::uuid AND e.type = 'workstream.stage_changed'
           AND e."occurredAt" <= ${at} ORDER BY e."occurredAt" DESC, e.id DESC LIMIT 1),
        (SELECT e."from" FROM "Event" e WHERE e."workstreamId" = ${workstreamId}::uuid AND e.type = 'workstream.stage_changed'
           AND e."occurredAt" > ${at} ORDER BY e."occurredAt", e.id LIMIT 1)) AS stage`;
    return row?.stage && STAGE_VALUES.has(row.stage) ? (row.stage as Stage) : current;
  }
}
