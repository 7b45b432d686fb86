import { Module } from '@nestjs/common';
import { DeliveriesModule } from '@pledgewatch/deliveries';
import { SubscribersAdminModule } from '@pledgewatch/subscriptions';
import { WebhooksAdminModule } from '@pledgewatch/webhooks';
import { AdminApiModule } from './admin-api.module';
import { AdminDeliveriesController } from './admin-deliveries.controller';
import { AdminSubscribersController } from './admin-subscribers.controller';
import { AdminWebhooksController } from './admin-webhooks.controller';

/** Subscribers and the emails sent to them, and webhook endpoints with theirs, for admins. Needs QueueModule.forRoot() (retry enqueues). */
@Module({
  imports: [AdminApiModule, DeliveriesModule, SubscribersAdminModule, WebhooksAdminModule],
  controllers: [AdminSubscribersController, AdminDeliveriesController, AdminWebhooksController],
})
export class AdminMailModule {}
