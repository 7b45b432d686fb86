import { Module } from '@nestjs/common';
import { EventsWriteModule } from '@pledgewatch/events';
import { CheckRunsRepository } from './check-runs.repository';
import { CheckRunsService } from './check-runs.service';
import { HealthHistoryRepository } from './health-history.repository';
import { HealthHistoryService } from './health-history.service';
import { StatusCheckRequests } from './status-check-requests.service';
import { StatusCheckRepository } from './status-check.repository';
import { StatusCheckService } from './status-check.service';

/** The status check, health as of a date, and when workstreams were last checked. Needs QueueModule.forRoot() (global) for dispatch. */
@Module({
  imports: [EventsWriteModule],
  providers: [StatusCheckRepository, StatusCheckService, StatusCheckRequests, HealthHistoryRepository, HealthHistoryService, CheckRunsRepository, CheckRunsService],
  exports: [StatusCheckService, StatusCheckRequests, HealthHistoryService, CheckRunsService],
})
export class StatusModule {}
