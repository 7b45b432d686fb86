import { Module } from '@nestjs/common';
import { DigestModule } from '@pledgewatch/digest';
import { DigestRunProcessor } from './digest-run.processor';
import { DigestSchedule } from './digest.schedule';

/** The weekly digest in the worker: the hourly cron, the `digest.run` processor, the `digest` composer. */
@Module({
  imports: [DigestModule],
  providers: [DigestRunProcessor, DigestSchedule],
})
export class DigestWorkerModule {}
