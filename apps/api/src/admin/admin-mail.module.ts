import { Module } from '@nestjs/common';
import { AlertsAdminModule } from '@pledgewatch/alerts';
import { AdminApiModule } from './admin-api.module';
import { AdminDeliveriesController } from './admin-deliveries.controller';
import { AdminSubscribersController } from './admin-subscribers.controller';

/** Subscribers and the emails sent to them, for admins. Needs QueueModule.forRoot() (retry enqueues). */
@Module({
  imports: [AdminApiModule, AlertsAdminModule],
  controllers: [AdminSubscribersController, AdminDeliveriesController],
})
export class AdminMailModule {}
