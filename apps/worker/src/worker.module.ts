import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertsModule } from '@pledgewatch/alerts';
import { AppConfig, ConfigModule } from '@pledgewatch/config';
import { DatabaseModule } from '@pledgewatch/database';
import { EventsWriteModule } from '@pledgewatch/events';
import { QueueModule, QueueWorkersModule } from '@pledgewatch/queue';
import { StatusModule } from '@pledgewatch/status';
import { ConfirmationSendingModule } from '@pledgewatch/subscriptions';
import { WebhookSendingModule } from '@pledgewatch/webhooks';
import { DeliveriesWorkerModule } from './deliveries/deliveries-worker.module';
import { DigestWorkerModule } from './digest/digest-worker.module';
import { PrivacyWorkerModule } from './privacy/privacy-worker.module';
import { EventFanoutProcessor } from './outbox/event-fanout.processor';
import { OutboxRelay } from './outbox/outbox-relay';
import { StatusCheckProcessor } from './status/status-check.processor';
import { StatusCheckSchedule } from './status/status-check.schedule';
import { WORKER_OPTIONS, WorkerOptions } from './worker-options';

/** Queue processors and schedules. Boot fails unless every job in the catalog has exactly one handler. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: WorkerOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        ScheduleModule.forRoot(),
        QueueModule.forRoot(),
        QueueWorkersModule,
        EventsWriteModule,
        StatusModule,
        DeliveriesWorkerModule,
        AlertsModule,
        DigestWorkerModule,
        ConfirmationSendingModule,
        WebhookSendingModule,
        PrivacyWorkerModule,
      ],
      providers: [
        { provide: WORKER_OPTIONS, useValue: options },
        StatusCheckSchedule,
        StatusCheckProcessor,
        OutboxRelay,
        EventFanoutProcessor,
      ],
    };
  }
}
