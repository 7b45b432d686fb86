import { Injectable } from '@nestjs/common';
import { checkJobId, checkSlot, JobQueues, JOBS, QUEUES } from '@pledgewatch/queue';
import { NotFoundError } from '@pledgewatch/problems';
import { CheckRunsService } from './check-runs.service';

const SLOT_ID = /^[A-Za-z0-9:_-]{1,64}$/;

export type CheckRequestStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface CheckRequestView {
  id: string;
  status: CheckRequestStatus;
  trigger: string;
  asOf: string;
  startedAt: string | null;
  finishedAt: string | null;
  checked: number | null;
  events: number | null;
  milestonesOverdue: number | null;
  healthChanged: number | null;
  /** A failed job's last error. */
  error?: string;
}

/**
 * A status check an editor asks for, run by the worker's `status.check` job (the catalog's, like
 * the schedule's) rather than inside the request: at 100,000 workstreams a check takes seconds.
 * Its id is its slot (`admin-2026-12-01T125503Z`, one per second: two requests in the same second
 * are one check), which is also StatusCheckRun.slot once it ran.
 */
@Injectable()
export class StatusCheckRequests {
  constructor(
    private readonly jobs: JobQueues,
    private readonly runs: CheckRunsService,
  ) {}

  /** Enqueues a check as of now; answers its id. */
  async request(now = new Date()): Promise<CheckRequestView> {
    const { slot, asOf } = checkSlot(now, true);
    const id = `admin-${slot.replace(/:/g, '')}`;
    await this.jobs.add(JOBS.statusCheck, { payload: { slot: id, asOf: asOf.toISOString(), trigger: 'admin' }, jobId: checkJobId(id) });
    return this.find(id);
  }

  /** The check's state: from its StatusCheckRun once it ran, from its job before. */
  async find(id: string): Promise<CheckRequestView> {
    if (!SLOT_ID.test(id)) throw new NotFoundError('Check', id);
    const run = await this.runs.findBySlot(id);
    if (run) {
      return {
        id,
        status: 'completed',
        trigger: run.trigger,
        asOf: run.asOf.toISOString(),
        startedAt: run.startedAt.toISOString(),
        finishedAt: run.finishedAt.toISOString(),
        checked: run.checked,
        events: run.events,
        milestonesOverdue: run.milestonesOverdue,
        healthChanged: run.healthChanged,
      };
    }
    const job = await this.jobs.queue(QUEUES.status).getJob(checkJobId(id));
    if (!job) throw new NotFoundError('Check', id);
    const state = await job.getState();
    const status: CheckRequestStatus = state === 'active' ? 'running' : state === 'failed' ? 'failed' : state === 'completed' ? 'completed' : 'queued';
    return {
      id,
      status,
      trigger: (job.data as { trigger?: string }).trigger ?? 'schedule',
      asOf: (job.data as { asOf: string }).asOf,
      startedAt: job.processedOn ? new Date(job.processedOn).toISOString() : null,
      finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      checked: null,
      events: null,
      milestonesOverdue: null,
      healthChanged: null,
      ...(status === 'failed' ? { error: job.failedReason } : {}),
    };
  }
}
