import { Module } from '@nestjs/common';
import { DeliveriesModule, DeliverySendingModule } from '@pledgewatch/deliveries';
import { TopicResolverModule } from '@pledgewatch/subscriptions';
import { WebhookComposer } from './webhook.composer';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { WebhookFanoutService } from './webhook-fanout.service';
import { WebhooksAdminService } from './webhooks-admin.service';

/** The API's part: register, list, enable/disable, delete, rotate, retry. Needs QueueModule.forRoot() (retry enqueues). */
@Module({
  imports: [DeliveriesModule, TopicResolverModule],
  providers: [WebhookEndpointsRepository, WebhooksAdminService],
  exports: [WebhooksAdminService],
})
export class WebhooksAdminModule {}

/**
 * The worker's part: the fan-out (event → webhook deliveries → `webhook.send` jobs) and the
 * `webhook` composer it registers with libs/deliveries (whose WebhookChannel signs and POSTs).
 */
@Module({
  imports: [DeliverySendingModule],
  providers: [WebhookEndpointsRepository, WebhookComposer, WebhookFanoutService],
  exports: [WebhookFanoutService, WebhookEndpointsRepository],
})
export class WebhookSendingModule {}
