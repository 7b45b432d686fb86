import { Module } from '@nestjs/common';
import { EventsReadModule } from '@pledgewatch/events';
import { EventsFeedService } from './events-feed.service';
import { MilestonesCalendarRepository } from './milestones-calendar.repository';
import { MilestonesCalendarService } from './milestones-calendar.service';

/** The public feeds: the change log as Atom, milestone due dates as iCalendar. */
@Module({
  imports: [EventsReadModule],
  providers: [EventsFeedService, MilestonesCalendarRepository, MilestonesCalendarService],
  exports: [EventsFeedService, MilestonesCalendarService],
})
export class FeedsModule {}
