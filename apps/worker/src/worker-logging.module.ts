import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@pledgewatch/config';
import { pinoOptions } from '@pledgewatch/observability';
import { JOB_RUN_CONTEXT, JobRunContext } from '@pledgewatch/queue';

/** JSON log lines for the worker; every line logged while a job runs carries its queue, id and name. */
@Global()
@Module({})
export class WorkerLoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerLoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: pinoOptions(config) })],
      providers: [
        {
          provide: JOB_RUN_CONTEXT,
          inject: [PinoLogger],
          useFactory: (logger: PinoLogger): JobRunContext => (job, run) =>
            logger.runInContext(run, { bindings: { queue: job.queueName, jobId: job.id, jobName: job.name, attempt: job.attemptsMade + 1 } }),
        },
      ],
      exports: [JOB_RUN_CONTEXT],
    };
  }
}
