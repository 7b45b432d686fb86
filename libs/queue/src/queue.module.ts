import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobQueues, QUEUE_MODULE_OPTIONS, QueueModuleOptions } from './job-queues';
import { JobWorkers } from './job-workers';
import { QueueBackend } from './queue-backend';

/** Producers: JobQueues (and the QueueBackend behind it), available everywhere once an app imports QueueModule.forRoot(). */
@Global()
@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions = {}): DynamicModule {
    return {
      module: QueueModule,
      providers: [{ provide: QUEUE_MODULE_OPTIONS, useValue: options }, QueueBackend, JobQueues],
      exports: [QueueBackend, JobQueues],
    };
  }
}

/** Consumers: the worker app imports this to run a BullMQ worker per queue for the @JobHandler methods. */
@Module({ imports: [DiscoveryModule], providers: [JobWorkers] })
export class QueueWorkersModule {}
