import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@pledgewatch/config';
import { checkJobId, checkSlot, JobQueues, JOBS } from '@pledgewatch/queue';
import { CronJob } from 'cron';
import { WORKER_OPTIONS, WorkerOptions } from '../worker-options';

const CRON_NAME = 'status-check';

/**
 * CHECK_CRON (default hourly, read in UTC) only enqueues (STYLE habit 6): one `status.check` job
 * per time slot, job id = the slot, so any number of replicas firing together add one job; the
 * work happens in StatusCheckProcessor. StatusCheckRun.slot (unique) is the guard that outlives
 * the job's retention.
 */
@Injectable()
export class StatusCheckSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StatusCheckSchedule.name);

  constructor(
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly jobs: JobQueues,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!(this.options.checkSchedule ?? this.config.env !== 'test')) return;
    const job = CronJob.from({
      cronTime: this.config.checkCron,
      timeZone: 'UTC',
      start: true,
      onTick: () => {
        this.enqueue(new Date()).catch((error: Error) => this.logger.warn(`status.check not enqueued: ${error.message}`));
      },
    });
    this.registry.addCronJob(CRON_NAME, job);
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('cron', CRON_NAME)) this.registry.deleteCronJob(CRON_NAME);
  }

  /** Enqueues the check of the slot `firedAt` falls in; answers the slot. */
  async enqueue(firedAt: Date): Promise<string> {
    const withSeconds = this.config.checkCron.trim().split(/\s+/).length === 6;
    const { slot, asOf } = checkSlot(firedAt, withSeconds);
    await this.jobs.add(JOBS.statusCheck, { payload: { slot, asOf: asOf.toISOString() }, jobId: checkJobId(slot) });
    return slot;
  }
}
