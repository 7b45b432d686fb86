import { Module } from '@nestjs/common';
import { DeliverySendingModule } from '@pledgewatch/deliveries';
import { DeliveryReconcileSchedule } from './delivery-reconcile.schedule';
import { EmailSendProcessor } from './email-send.processor';

/** Deliveries in the worker: `email.send` for every kind of delivery, and the reconciler's timer. */
@Module({
  imports: [DeliverySendingModule],
  providers: [EmailSendProcessor, DeliveryReconcileSchedule],
})
export class DeliveriesWorkerModule {}
