import { Module } from '@nestjs/common';
import { ExportModule } from '@pledgewatch/export';
import { FeedsModule } from '@pledgewatch/feeds';
import { ExportController } from './export.controller';
import { FeedsController } from './feeds.controller';

/** Feeds (Atom, iCalendar) and open-data downloads (CSV, tracker.json): public, read-only. */
@Module({
  imports: [FeedsModule, ExportModule],
  controllers: [FeedsController, ExportController],
})
export class FeedsApiModule {}
