import { Module } from '@nestjs/common';
import { DeliverySendingModule } from '@pledgewatch/deliveries';
import { WebhookSendingModule } from '@pledgewatch/webhooks';
import { DeliveryReconcileSchedule } from './delivery-reconcile.schedule';
import { EmailSendProcessor } from './email-send.processor';
import { WebhookSendProcessor } from './webhook-send.processor';

/**
 * Deliveries in the worker: `email.send` for a subscriber's deliveries of every kind,
 * `webhook.send` for webhook endpoints' (its own retry policy), and the reconciler's timer.
 */
@Module({
  imports: [DeliverySendingModule, WebhookSendingModule],
  providers: [EmailSendProcessor, WebhookSendProcessor, DeliveryReconcileSchedule],
})
export class DeliveriesWorkerModule {}
