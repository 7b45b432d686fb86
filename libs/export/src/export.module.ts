import { Module } from '@nestjs/common';
import { WorkstreamsReadModule } from '@pledgewatch/workstreams';
import { ExportRepository } from './export.repository';
import { ExportService } from './export.service';

/** Open data: the public tracker as CSV and as the admin import's JSON. */
@Module({
  imports: [WorkstreamsReadModule],
  providers: [ExportRepository, ExportService],
  exports: [ExportService],
})
export class ExportModule {}
