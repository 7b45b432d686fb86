import { Module } from '@nestjs/common';
import { AlertsModule } from '@pledgewatch/alerts';
import { ConfirmationMailModule } from '@pledgewatch/subscriptions';
import { ConfirmationComposer } from './confirmation.composer';
import { DeliveryReconcileSchedule } from './delivery-reconcile.schedule';
import { EmailSendProcessor } from './email-send.processor';

/** Alerts in the worker: `email.send` for every kind of delivery, the reconciler's timer, the confirmation composer. */
@Module({
  imports: [AlertsModule, ConfirmationMailModule],
  providers: [EmailSendProcessor, DeliveryReconcileSchedule, ConfirmationComposer],
  exports: [AlertsModule],
})
export class AlertsWorkerModule {}
