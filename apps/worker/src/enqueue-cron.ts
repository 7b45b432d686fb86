import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';

/**
 * A cron (read in UTC) that only enqueues (the job does the work, so replicas and retries stay idempotent): each tick calls `enqueue`, which adds
 * one job whose id is the tick's slot, so any number of replicas firing together add one job. A
 * failed enqueue (Redis away) is logged; the next tick, or the job's own catch-up, covers it.
 * Registered under the job's name, so `stopEnqueueCron` finds it.
 */
export function startEnqueueCron(registry: SchedulerRegistry, job: string, cronTime: string, enqueue: (firedAt: Date) => Promise<unknown>): void {
  const logger = new Logger(`cron ${job}`);
  const cron = CronJob.from({
    cronTime,
    timeZone: 'UTC',
    start: true,
    onTick: () => {
      enqueue(new Date()).catch((error: Error) => logger.warn(`${job} not enqueued: ${error.message}`));
    },
  });
  registry.addCronJob(job, cron);
}

export function stopEnqueueCron(registry: SchedulerRegistry, job: string): void {
  if (registry.doesExist('cron', job)) registry.deleteCronJob(job);
}
