import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { EventsDispatcher } from '@pledgewatch/events';
import {
  CheckParams,
  eventsWrittenByThisTransaction,
  flipOverdueMilestones,
  lockChecks,
  recomputeHealth,
  recordRun,
  rulesRevisedSinceLastRun,
  slotAlreadyChecked,
  StatusChange,
  tuneForCheck,
} from './status-check.sql';
import { StatusCheckRepository } from './status-check.repository';
import { metrics, secondsSince } from '@pledgewatch/observability';

export interface StatusCheckOptions {
  /** The instant to evaluate as of; default now. */
  asOf?: Date;
  /** Answer what would change, write nothing. */
  dryRun?: boolean;
  /** The scheduler's slot: a slot already checked is skipped. */
  slot?: string;
  trigger?: 'schedule' | 'admin';
  /** Dry run: at most this many changes listed (the counts are always complete). */
  changesLimit?: number;
}

export interface StatusCheckResult {
  /** Open workstreams evaluated. */
  checked: number;
  /** Events written (or, on a dry run, that would be). */
  events: number;
  milestonesOverdue: number;
  healthChanged: number;
  asOf: string;
  /** The slot had been checked already (by another replica, or before a retried job). */
  skipped?: boolean;
  /** Dry run only: the changes, by workstream slug, up to changesLimit. */
  changes?: StatusChange[];
}

/** Thrown inside a dry run's transaction so Prisma rolls it back; carries the answer out. */
class DryRunRollback extends Error {
  constructor(readonly result: StatusCheckResult) {
    super('dry run: rolled back');
  }
}

/** Generous: the first check over 100,000 workstreams writes hundreds of thousands of rows. */
const TRANSACTION_TIMEOUT_MS = 10 * 60_000;

/**
 * The scheduled status check (docs/api.md#running-the-status-check): set-based evaluation of every open workstream in one
 * transaction (the SQL is in status-check.sql.ts), then the events it wrote are dispatched.
 */
@Injectable()
export class StatusCheckService {
  private readonly logger = new Logger(StatusCheckService.name);

  constructor(
    private readonly repository: StatusCheckRepository,
    private readonly config: AppConfig,
    private readonly dispatcher: EventsDispatcher,
  ) {}

  async run(options: StatusCheckOptions = {}): Promise<StatusCheckResult> {
    const params: CheckParams = { asOf: options.asOf ?? new Date(), windows: this.config.healthWindows };
    if (options.dryRun) return this.preview(params, options.changesLimit ?? 500);

    const startedAt = process.hrtime.bigint();
    const result = await this.evaluate(params, options.slot ?? null, options.trigger ?? 'admin');
    if (!result.skipped) {
      metrics.statusCheckDuration.observe(secondsSince(startedAt));
      metrics.statusCheckEvents.observe(result.events);
      metrics.eventsWritten.inc({ type: 'milestone.overdue' }, result.milestonesOverdue);
      metrics.eventsWritten.inc({ type: 'workstream.health_changed' }, result.healthChanged);
    }
    if (result.events > 0) {
      // After commit, so no job sees an uncommitted event. If this is lost, the outbox relay finds the events by dispatchedAt.
      await this.dispatcher.dispatchOccurredAt(params.asOf);
    }
    if (!result.skipped) {
      this.logger.log(
        `checked ${result.checked} workstreams as of ${result.asOf}: ${result.milestonesOverdue} milestones overdue, ${result.healthChanged} health changes`,
      );
    }
    return result;
  }

  /** The check's database work, in one transaction; no dispatch. */
  async evaluate(params: CheckParams, slot: string | null, trigger: string): Promise<StatusCheckResult> {
    const startedAt = new Date();
    return this.repository.transaction(
      async (tx) => {
        await lockChecks(tx);
        await tuneForCheck(tx);
        if (slot && (await slotAlreadyChecked(tx, slot))) {
          return { checked: 0, events: 0, milestonesOverdue: 0, healthChanged: 0, asOf: params.asOf.toISOString(), skipped: true };
        }
        const quiet = await rulesRevisedSinceLastRun(tx);
        const milestonesOverdue = await flipOverdueMilestones(tx, params);
        const { checked, changed: healthChanged } = await recomputeHealth(tx, params, { quiet });
        await recordRun(tx, { slot, trigger, asOf: params.asOf, startedAt, checked, milestonesOverdue, healthChanged });
        return { checked, events: milestonesOverdue + healthChanged, milestonesOverdue, healthChanged, asOf: params.asOf.toISOString() };
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
    );
  }

  /**
   * The same statements as a real run, in a transaction that is then rolled back: the answer cannot
   * drift from what a run would do, and nothing is written (no events, no run row, no dispatch).
   */
  private async preview(params: CheckParams, changesLimit: number): Promise<StatusCheckResult> {
    try {
      await this.repository.transaction(
        async (tx) => {
          await lockChecks(tx);
          await tuneForCheck(tx);
          const quiet = await rulesRevisedSinceLastRun(tx);
          const milestonesOverdue = await flipOverdueMilestones(tx, params);
          const { checked, changed: healthChanged } = await recomputeHealth(tx, params, { quiet });
          const changes = await eventsWrittenByThisTransaction(tx, params, changesLimit);
          throw new DryRunRollback({
            checked,
            events: milestonesOverdue + healthChanged,
            milestonesOverdue,
            healthChanged,
            asOf: params.asOf.toISOString(),
            changes,
          });
        },
        { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
      );
    } catch (error) {
      if (error instanceof DryRunRollback) return error.result;
      throw error;
    }
    throw new Error('unreachable: a dry run always rolls back');
  }
}
