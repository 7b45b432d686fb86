import { Module } from '@nestjs/common';
import { EventsWriteModule } from '@pledgewatch/events';
import { HealthHistoryService } from './health-history.service';
import { StatusCheckService } from './status-check.service';

/** The status check and health as of a date. Needs QueueModule.forRoot() (global) for dispatch. */
@Module({
  imports: [EventsWriteModule],
  providers: [StatusCheckService, HealthHistoryService],
  exports: [StatusCheckService, HealthHistoryService],
})
export class StatusModule {}
