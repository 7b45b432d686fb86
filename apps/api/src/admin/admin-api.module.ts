import { Module } from '@nestjs/common';
import { AuthModule } from '@pledgewatch/auth';
import { WorkstreamEditorModule } from '@pledgewatch/workstreams';
import { AdminApiKeysController } from './admin-api-keys.controller';
import { AdminImportController } from './admin-import.controller';
import { AdminReviewsController } from './admin-reviews.controller';
import { AdminMilestonesController } from './admin-milestones.controller';
import { AdminWorkstreamsController } from './admin-workstreams.controller';
import { ApiKeyGuard } from './api-key.guard';

/**
 * The admin API behind API keys (docs/api.md). Other admin controllers (checks, subscribers, deliveries)
 * import AuthModule, put `@UseGuards(ApiKeyGuard)` on themselves and say who may call with `@Roles`.
 */
@Module({
  imports: [AuthModule, WorkstreamEditorModule],
  providers: [ApiKeyGuard],
  exports: [AuthModule, ApiKeyGuard],
  controllers: [AdminWorkstreamsController, AdminMilestonesController, AdminReviewsController, AdminImportController, AdminApiKeysController],
})
export class AdminApiModule {}
