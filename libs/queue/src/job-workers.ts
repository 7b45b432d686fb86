import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { JOB_CATALOG, JobName, QUEUE_CONCURRENCY, QUEUE_NAMES, QueueName } from './job-catalog';
import { assertEveryJobHandledOnce, FoundHandler, JOB_HANDLER } from './job-handler';
import { QueueBackend } from './queue-backend';

type BoundHandler = (payload: unknown, job: Job) => Promise<unknown>;

/**
 * The consumer side, for the worker app only. At bootstrap it finds every @JobHandler method,
 * refuses to start unless each catalog job has exactly one, then runs one BullMQ worker per queue
 * that routes each job to its handler by name.
 */
@Injectable()
export class JobWorkers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobWorkers.name);
  private readonly workers: Worker[] = [];

  constructor(
    private readonly backend: QueueBackend,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onApplicationBootstrap(): void {
    const handlers = this.discoverHandlers();
    assertEveryJobHandledOnce(handlers.map(({ job, where }) => ({ job, where })));
    const byName = new Map(handlers.map((handler) => [handler.job, handler.run]));
    for (const queue of QUEUE_NAMES) this.workers.push(this.startWorker(queue, byName));
  }

  /** Stops taking jobs and waits for the running ones, before the database goes away. */
  async onModuleDestroy(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((worker) => worker.close()));
  }

  private startWorker(queue: QueueName, handlers: Map<string, BoundHandler>): Worker {
    const worker = this.backend.worker(
      queue,
      async (job: Job) => {
        const handler = handlers.get(job.name);
        // Only a job from a newer or older release can get here: retrying cannot help.
        if (!handler || JOB_CATALOG[job.name as JobName]?.queue !== queue) {
          throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queue}"`);
        }
        return handler(job.data, job);
      },
      QUEUE_CONCURRENCY[queue],
    );
    worker.on('failed', (job, error) => {
      this.logger.warn(`${queue}/${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`);
    });
    worker.on('error', (error) => this.logger.warn(`${queue} worker: ${error.message}`));
    return worker;
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
