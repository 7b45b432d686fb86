import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { AppConfig } from '@pledgewatch/config';
import { Job, MinimalJob, UnrecoverableError, Worker } from 'bullmq';
import { JOB_CATALOG, JOB_NAMES, JobName, QUEUE_NAMES, QueueName, QUEUES, WEBHOOK_BACKOFF, webhookRetryDelay } from './job-catalog';
import { assertEveryJobHandledOnce, FoundHandler, JOB_HANDLER, RetryLaterError } from './job-handler';
import { QueueBackend } from './queue-backend';

type BoundHandler = (payload: unknown, job: Job) => Promise<unknown>;

/** Runs a job's handler inside a context of its own (the worker binds job id and name to its log lines). */
export type JobRunContext = <T>(job: Job, run: () => Promise<T>) => Promise<T>;
export const JOB_RUN_CONTEXT = Symbol('JOB_RUN_CONTEXT');

/**
 * The consumer side, for the worker app only. At bootstrap it finds every @JobHandler method,
 * refuses to start unless each catalog job has exactly one, then runs one BullMQ worker per queue
 * that routes each job to its handler by name.
 */
@Injectable()
export class JobWorkers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobWorkers.name);
  private readonly workers: Worker[] = [];
  /** Jobs being processed, with their lock tokens, so a shutdown can hand them back. */
  private readonly active = new Map<string, { job: Job; token: string | undefined }>();

  constructor(
    private readonly config: AppConfig,
    private readonly backend: QueueBackend,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Optional() @Inject(JOB_RUN_CONTEXT) private readonly runContext?: JobRunContext,
  ) {}

  onApplicationBootstrap(): void {
    const handlers = this.discoverHandlers();
    assertEveryJobHandledOnce(handlers.map(({ job, where }) => ({ job, where })));
    const byName = new Map(handlers.map((handler) => [handler.job, handler.run]));
    for (const queue of QUEUE_NAMES) this.workers.push(this.startWorker(queue, byName));
  }

  /**
   * Graceful stop (SIGTERM): take no new jobs, give the active ones `timeoutMs` to finish, then move
   * those still running back to waiting (another worker takes them; the delivery row's status keeps
   * a send from going out twice) and close. Answers how many were handed back.
   */
  async drain(timeoutMs: number): Promise<number> {
    const workers = this.workers.splice(0);
    const closed = Promise.all(workers.map((worker) => worker.close()));
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([closed.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
    clearTimeout(timer);
    if (finished) return 0;
    const unfinished = [...this.active.values()];
    this.active.clear();
    await Promise.all(unfinished.map(({ job, token }) => job.moveToWait(token).catch((error: Error) => this.logger.warn(`job ${job.id} not handed back: ${error.message}`))));
    await Promise.all(workers.map((worker) => worker.close(true)));
    this.logger.warn(`shutdown: ${unfinished.length} active jobs did not finish within ${timeoutMs} ms and went back to the queue`);
    return unfinished.length;
  }

  /** Stops taking jobs and waits for the running ones, before the database goes away. */
  async onModuleDestroy(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((worker) => worker.close()));
  }

  private startWorker(queue: QueueName, handlers: Map<string, BoundHandler>): Worker {
    let worker: Worker | undefined = undefined;
    worker = this.backend.worker(
      queue,
      async (job: Job, token?: string) => {
        const handler = handlers.get(job.name);
        // Only a job from a newer or older release can get here: retrying cannot help.
        if (!handler || JOB_CATALOG[job.name as JobName]?.queue !== queue) {
          throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queue}"`);
        }
        const key = `${queue}/${job.id}`;
        this.active.set(key, { job, token });
        try {
          return await (this.runContext ? this.runContext(job, () => handler(job.data, job)) : handler(job.data, job));
        } catch (error) {
          if (!(error instanceof RetryLaterError)) throw error;
          // Back to waiting with its attempts untouched; no worker takes a job of this queue meanwhile.
          await worker?.rateLimit(error.delayMs);
          throw Worker.RateLimitError();
        } finally {
          this.active.delete(key);
        }
      },
      this.concurrencyOf(queue),
      {
        settings: { backoffStrategy: (attemptsMade, type, _error, job) => this.customBackoff(attemptsMade, type, job) },
        limiter: this.limiterOf(queue),
      },
    );
    worker.on('failed', (job, error) => {
      this.logger.warn(`${queue}/${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`);
    });
    worker.on('error', (error) => this.logger.warn(`${queue} worker: ${error.message}`));
    return worker;
  }

  /**
   * The catalog's custom backoff types: `webhook` retries until WEBHOOK_RETRY_SPAN is over, counted
   * from the job's creation. Past the span it answers 0: the processor decides that the attempt
   * then made is the last (and records it), so no delivery is left queued without a job. BullMQ
   * asks only for types it does not know itself.
   */
  private customBackoff(attemptsMade: number, type: string | undefined, job: MinimalJob | undefined): number {
    if (type !== WEBHOOK_BACKOFF) throw new Error(`unknown backoff type "${type}"`);
    return webhookRetryDelay(attemptsMade, Date.now() - (job?.timestamp ?? Date.now()), this.config.webhooks) ?? 0;
  }

  /**
   * From configuration (CONCURRENCY_*, per job name). A queue carries one job name today; were it
   * to carry several, the largest of their figures applies.
   */
  private concurrencyOf(queue: QueueName): number {
    return Math.max(1, ...JOB_NAMES.filter((job) => JOB_CATALOG[job].queue === queue).map((job) => this.config.jobConcurrency[job]));
  }

  /**
   * With MAIL_RATE_PER_SECOND, the email queue starts jobs at about that rate (windows of a tenth
   * of a second, so no second starts a burst): a backlog waits in the queue, in priority order,
   * instead of in workers' hands. The exact limit is the send pacer's, at each send; this one only
   * keeps the number of jobs waiting for a slot small, and lets rateLimit() pause the queue.
   */
  private limiterOf(queue: QueueName): { max: number; duration: number } | undefined {
    const rate = this.config.mailRatePerSecond;
    if (queue !== QUEUES.email || rate === null) return undefined;
    const max = Math.max(1, Math.ceil(rate / 10));
    return { max, duration: Math.round((1000 * max) / rate) };
  }

  private discoverHandlers(): (FoundHandler & { run: BoundHandler })[] {
    const found: (FoundHandler & { run: BoundHandler })[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const job = Reflect.getMetadata(JOB_HANDLER, fn) as string | undefined;
        if (!job) continue;
        found.push({ job, where: `${instance.constructor.name}.${method}`, run: fn.bind(instance) as BoundHandler });
      }
    }
    return found;
  }
}
