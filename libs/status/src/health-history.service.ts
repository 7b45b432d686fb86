import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { Health, Stage } from '@pledgewatch/database';
import { evaluateHealth } from './evaluate-health';
import { HealthHistoryRepository } from './health-history.repository';

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
 * "Health as of 2024-06-30" (docs/api.md). The history is the authority: the last health the service
 * recorded by the end of that day (a `workstream.health_changed`, or the health a
 * `workstream.created` event carries). Before any such record, the rules are applied to the rows
 * as they stood then: the stage from its change events, milestones added later left out, later
 * completions and progress not yet counted (evaluateHealth is as-of aware).
 */
@Injectable()
export class HealthHistoryService {
  constructor(
    private readonly history: HealthHistoryRepository,
    private readonly config: AppConfig,
  ) {}

  async healthAsOf(workstreamId: string, day: string): Promise<HealthAsOf> {
    const end = new Date(`${day}T23:59:59.999Z`);
    const recorded = await this.history.lastRecorded(workstreamId, end);
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

    const workstream = await this.history.findWithMilestonesBy(workstreamId, end);
    // The reviews made by then, and no later: a verdict as of a past date uses only what was known.
    if (workstream.createdAt > end) {
      return { asOf: day, health: 'unknown', healthReason: `Not tracked yet on ${day}.`, healthSince: null, healthSource: 'computed' };
    }
    const then = await this.history.stageBy(workstreamId, end);
    const stage = then && STAGE_VALUES.has(then) ? (then as Stage) : workstream.stage;
    const reviews = await this.history.reviewsBy(workstreamId, end);
    const verdict = evaluateHealth({ ...workstream, stage, reviews }, workstream.milestones, end, this.config.healthWindows);
    return { asOf: day, health: verdict.health, healthReason: verdict.reason, healthSince: null, healthSource: 'computed' };
  }
}
