import { Module } from '@nestjs/common';
import { SubscriberRetentionModule } from '@pledgewatch/subscriptions';
import { PrivacyEraseProcessor } from './privacy-erase.processor';
import { PrivacySchedule } from './privacy.schedule';

/** Erasing personal data past its keeping time (docs/privacy.md): the hourly cron and its processor. */
@Module({
  imports: [SubscriberRetentionModule],
  providers: [PrivacyEraseProcessor, PrivacySchedule],
})
export class PrivacyWorkerModule {}
