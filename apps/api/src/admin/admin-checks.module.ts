import { Module } from '@nestjs/common';
import { StatusModule } from '@pledgewatch/status';
import { AdminApiModule } from './admin-api.module';
import { ChecksController } from './checks.controller';

/** `POST /v1/admin/checks`: the status check on demand, or its dry run. */
@Module({
  imports: [AdminApiModule, StatusModule],
  controllers: [ChecksController],
})
export class AdminChecksModule {}
