import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@pledgewatch/config';
import { JobQueues, JOBS, privacyJobId } from '@pledgewatch/queue';
import { startEnqueueCron, stopEnqueueCron } from '../enqueue-cron';

/**
 * PRIVACY_CRON (default `35 * * * *`, UTC) only enqueues: one `privacy.erase` job per hourly slot,
 * job id = the slot, so any number of replicas add one job. Off with SCHEDULES_ENABLED=false.
 */
@Injectable()
export class PrivacySchedule implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly jobs: JobQueues,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulesEnabled) return;
    startEnqueueCron(this.registry, JOBS.privacyErase, this.config.privacyCron, (firedAt) => this.enqueue(firedAt));
  }

  onModuleDestroy(): void {
    stopEnqueueCron(this.registry, JOBS.privacyErase);
  }

  /** Enqueues the erasure for the hour `firedAt` falls in; answers the slot. */
  async enqueue(firedAt: Date): Promise<Date> {
    const slot = new Date(Math.floor(firedAt.getTime() / 3_600_000) * 3_600_000);
    await this.jobs.add(JOBS.privacyErase, { payload: { slot: slot.toISOString() }, jobId: privacyJobId(slot) });
    return slot;
  }
}
