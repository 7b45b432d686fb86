import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@pledgewatch/config';
import { hourSlot } from '@pledgewatch/digest';
import { digestJobId, JobQueues, JOBS } from '@pledgewatch/queue';
import { startEnqueueCron, stopEnqueueCron } from '../enqueue-cron';

/**
 * DIGEST_CRON (default `5 * * * *`, UTC) only enqueues: one `digest.run` job per hourly slot, job
 * id = the slot, so any number of worker replicas firing together add one job. The work, and the
 * catch-up of slots this process missed while it was down, happen in DigestRunProcessor.
 * Off with SCHEDULES_ENABLED=false.
 */
@Injectable()
export class DigestSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly jobs: JobQueues,
  ) {}

  onApplicationBootstrap(): void {
    // Tests drive slots themselves (a clock they control); a real tick at :05 must not add digests
    // for whatever subscribers a test happens to have made due at the wall-clock hour.
    if (!this.config.schedulesEnabled) return;
    startEnqueueCron(this.registry, JOBS.digestRun, this.config.digestCron, (firedAt) => this.enqueue(firedAt));
  }

  onModuleDestroy(): void {
    stopEnqueueCron(this.registry, JOBS.digestRun);
  }

  /** Enqueues the run for the hour `firedAt` falls in; answers the slot. */
  async enqueue(firedAt: Date): Promise<Date> {
    const slot = hourSlot(firedAt);
    await this.jobs.add(JOBS.digestRun, { payload: { slot: slot.toISOString() }, jobId: digestJobId(slot) });
    return slot;
  }
}
