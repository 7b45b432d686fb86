import { Module } from '@nestjs/common';
import { DeliveriesModule } from '@pledgewatch/deliveries';
import { SubscribersAdminModule } from '@pledgewatch/subscriptions';
import { AdminApiModule } from './admin-api.module';
import { AdminDeliveriesController } from './admin-deliveries.controller';
import { AdminSubscribersController } from './admin-subscribers.controller';

/** Subscribers and the emails sent to them, for admins. Needs QueueModule.forRoot() (retry enqueues). */
@Module({
  imports: [AdminApiModule, DeliveriesModule, SubscribersAdminModule],
  controllers: [AdminSubscribersController, AdminDeliveriesController],
})
export class AdminMailModule {}
