import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@pledgewatch/config';
import { hourSlot } from '@pledgewatch/digest';
import { digestJobId, JobQueues, JOBS } from '@pledgewatch/queue';
import { CronJob } from 'cron';

const CRON_NAME = 'digest-run';

/**
 * DIGEST_CRON (default `5 * * * *`, UTC) only enqueues: one `digest.run` job per hourly slot, job
 * id = the slot, so any number of worker replicas firing together add one job. The work, and the
 * catch-up of slots this process missed while it was down, happen in DigestRunProcessor.
 * Not started under NODE_ENV=test.
 */
@Injectable()
export class DigestSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DigestSchedule.name);

  constructor(
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly jobs: JobQueues,
  ) {}

  onApplicationBootstrap(): void {
    // Tests drive slots themselves (a clock they control); a real tick at :05 must not add digests
    // for whatever subscribers a test happens to have made due at the wall-clock hour.
    if (this.config.env === 'test') return;
    const job = CronJob.from({
      cronTime: this.config.digestCron,
      timeZone: 'UTC',
      start: true,
      onTick: () => {
        this.enqueue(new Date()).catch((error: Error) => this.logger.warn(`digest.run not enqueued: ${error.message}`));
      },
    });
    this.registry.addCronJob(CRON_NAME, job);
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('cron', CRON_NAME)) this.registry.deleteCronJob(CRON_NAME);
  }

  /** Enqueues the run for the hour `firedAt` falls in; answers the slot. */
  async enqueue(firedAt: Date): Promise<Date> {
    const slot = hourSlot(firedAt);
    await this.jobs.add(JOBS.digestRun, { payload: { slot: slot.toISOString() }, jobId: digestJobId(slot) });
    return slot;
  }
}
