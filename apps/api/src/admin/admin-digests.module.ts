import { Module } from '@nestjs/common';
import { DigestPreviewModule } from '@pledgewatch/digest';
import { AdminApiModule } from './admin-api.module';
import { AdminDigestsController } from './admin-digests.controller';

/** The weekly digest, as editors check it: a preview that sends nothing. */
@Module({
  imports: [AdminApiModule, DigestPreviewModule],
  controllers: [AdminDigestsController],
})
export class AdminDigestsModule {}
