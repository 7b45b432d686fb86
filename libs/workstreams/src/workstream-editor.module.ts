import { Module } from '@nestjs/common';
import { AuditModule } from '@pledgewatch/audit';
import { EventsWriteModule } from '@pledgewatch/events';
import { MilestoneEditorService } from './milestone-editor.service';
import { ReviewsService } from './reviews.service';
import { WorkstreamEditorService } from './workstream-editor.service';
import { WorkstreamsRepository } from './workstreams.repository';

/** The admin, write side of workstreams and milestones. */
@Module({
  imports: [AuditModule, EventsWriteModule],
  providers: [WorkstreamsRepository, WorkstreamEditorService, MilestoneEditorService, ReviewsService],
  exports: [WorkstreamEditorService, MilestoneEditorService, ReviewsService],
})
export class WorkstreamEditorModule {}
