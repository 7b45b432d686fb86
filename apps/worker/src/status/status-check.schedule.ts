import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@pledgewatch/config';
import { checkJobId, checkSlot, JobQueues, JOBS } from '@pledgewatch/queue';
import { startEnqueueCron, stopEnqueueCron } from '../enqueue-cron';

/**
 * CHECK_CRON (default hourly, read in UTC) only enqueues (the job does the work): one `status.check` job
 * per time slot, job id = the slot, so any number of replicas firing together add one job; the
 * work happens in StatusCheckProcessor. StatusCheckRun.slot (unique) is the guard that outlives
 * the job's retention. Off with SCHEDULES_ENABLED=false (tests drive slots themselves).
 */
@Injectable()
export class StatusCheckSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly jobs: JobQueues,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulesEnabled) return;
    startEnqueueCron(this.registry, JOBS.statusCheck, this.config.checkCron, (firedAt) => this.enqueue(firedAt));
  }

  onModuleDestroy(): void {
    stopEnqueueCron(this.registry, JOBS.statusCheck);
  }

  /** Enqueues the check of the slot `firedAt` falls in; answers the slot. */
  async enqueue(firedAt: Date): Promise<string> {
    const withSeconds = this.config.checkCron.trim().split(/\s+/).length === 6;
    const { slot, asOf } = checkSlot(firedAt, withSeconds);
    await this.jobs.add(JOBS.statusCheck, { payload: { slot, asOf: asOf.toISOString() }, jobId: checkJobId(slot) });
    return slot;
  }
}
