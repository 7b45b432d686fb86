import { Module } from '@nestjs/common';
import { SubscriptionsModule } from '@pledgewatch/subscriptions';
import { SubscriptionPageFilter } from './subscription-page.filter';
import { SubscriptionsController } from './subscriptions.controller';

@Module({
  imports: [SubscriptionsModule],
  controllers: [SubscriptionsController],
  providers: [SubscriptionPageFilter],
})
export class SubscriptionsApiModule {}
