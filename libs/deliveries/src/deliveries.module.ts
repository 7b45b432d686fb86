import { Module } from '@nestjs/common';
import { MailTransportModule } from '@pledgewatch/mail';
import { DeliveriesAdminService } from './deliveries-admin.service';
import { DeliveriesRepository } from './deliveries.repository';
import { EmailChannel } from './delivery-channels';
import { DeliveryComposers } from './delivery-composers';
import { DeliveryQueue } from './delivery-queue';
import { DeliveryReconciler } from './delivery-reconciler.service';
import { DeliverySender } from './delivery-sender';
import { WebhookAttemptsRepository } from './webhook-attempts.repository';
import { WebhookChannel } from './webhook-channel';
import { MailSendRate } from './mail-send-rate';

/**
 * The producer side, safe in any process: enqueue send jobs, list and retry deliveries. No
 * transport. Needs QueueModule.forRoot() (global).
 */
@Module({
  providers: [DeliveriesRepository, DeliveryQueue, DeliveriesAdminService, MailSendRate],
  exports: [DeliveriesRepository, DeliveryQueue, DeliveriesAdminService, MailSendRate],
})
export class DeliveriesModule {}

/**
 * The sending side, for the worker: the composer registry (features register theirs in
 * onModuleInit), the sender with its channels, the reconciler. One instance per app, however many
 * features import it.
 */
@Module({
  imports: [DeliveriesModule, MailTransportModule],
  providers: [DeliveryComposers, EmailChannel, WebhookAttemptsRepository, WebhookChannel, DeliverySender, DeliveryReconciler],
  exports: [DeliveriesModule, DeliveryComposers, DeliverySender, DeliveryReconciler, WebhookAttemptsRepository],
})
export class DeliverySendingModule {}
