import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { QueueBackendName } from '@pledgewatch/config';
import type { Queue } from 'bullmq';
import { JOB_CATALOG, JobName, JobPayload, QueueName, queueOf } from './job-catalog';
import { QueueBackend } from './queue-backend';

export const QUEUE_MODULE_OPTIONS = Symbol('QUEUE_MODULE_OPTIONS');

export interface QueueModuleOptions {
  /** How long an enqueue may wait for Redis before it counts as failed. */
  enqueueTimeoutMs?: number;
}

export class QueueUnavailableError extends Error {
  constructor(queue: QueueName, cause: unknown) {
    super(`queue "${queue}" is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'QueueUnavailableError';
  }
}

export interface NewJob<N extends JobName> {
  payload: JobPayload<N>;
  /** Deterministic (slot, event id): a second add of the same id is a no-op while the first job exists. */
  jobId: string;
  /** BullMQ priority (1 first); none: the job waits in plain FIFO order. */
  priority?: number;
  /** Runs no sooner than this many ms from now. */
  delayMs?: number;
  /** Tries in all, instead of the catalog's (a delivery handed on by a batch has used some). */
  attempts?: number;
}

/**
 * The producer side: typed enqueueing by job name, with the catalog's options. Queues are opened on
 * first use, so a process that never enqueues never connects. Enqueueing fails fast (and throws
 * QueueUnavailableError) when the queue store is unreachable: callers keep the work in Postgres and retry.
 */
@Injectable()
export class JobQueues implements OnModuleDestroy {
  private readonly logger = new Logger(JobQueues.name);
  private readonly queues = new Map<QueueName, Queue>();
  private readonly timeoutMs: number;
  private lastErrorLog = 0;

  constructor(
    private readonly backend: QueueBackend,
    @Inject(QUEUE_MODULE_OPTIONS) options: QueueModuleOptions,
  ) {
    this.timeoutMs = options.enqueueTimeoutMs ?? 5_000;
  }

  /** Which store the queues live in (QUEUE_BACKEND), for readiness and logs. */
  get backendName(): QueueBackendName {
    return this.backend.name;
  }

  async add<N extends JobName>(name: N, job: NewJob<N>): Promise<void> {
    await this.addBulk(name, [job]);
  }

  /** One round trip for many jobs of one name. */
  async addBulk<N extends JobName>(name: N, jobs: NewJob<N>[]): Promise<void> {
    if (jobs.length === 0) return;
    const queueName = queueOf(name);
    const queue = this.queue(queueName);
    const bulk = jobs.map((job) => ({
      name,
      data: job.payload,
      opts: {
        ...JOB_CATALOG[name].options,
        jobId: job.jobId,
        ...(job.priority ? { priority: job.priority } : {}),
        ...(job.delayMs ? { delay: job.delayMs } : {}),
        ...(job.attempts ? { attempts: job.attempts } : {}),
      },
    }));
    await this.withDeadline(queueName, queue.addBulk(bulk));
  }

  /** The BullMQ queue itself, for inspection (counts, a job by id) in operations and tests. */
  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.backend.queue(name, 'producer');
      // Without a listener an 'error' event would crash the process; an outage is reported by the
      // failing enqueue, so this only logs, at most every 30 s.
      queue.on('error', (error) => {
        if (Date.now() - this.lastErrorLog < 30_000) return;
        this.lastErrorLog = Date.now();
        this.logger.warn(`${this.backend.name}: ${error.message}`);
      });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async onModuleDestroy(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
  }

  private async withDeadline<T>(queue: QueueName, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    // A late answer after the deadline is harmless: job ids are deterministic, so the retry that
    // follows finds the job already there.
    work.catch(() => undefined);
    try {
      return await Promise.race([work, deadline]);
    } catch (error) {
      throw new QueueUnavailableError(queue, error);
    } finally {
      clearTimeout(timer);
    }
  }
}
