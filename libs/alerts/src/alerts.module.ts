import { Module } from '@nestjs/common';
import { MailModule } from '@pledgewatch/mail';
import { SubscriberLinksModule } from '@pledgewatch/subscriptions';
import { AlertFanoutService } from './alert-fanout.service';
import { AlertComposer } from './alert.composer';
import { DeliveriesAdminService } from './deliveries-admin.service';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryComposers } from './delivery-composers';
import { DeliveryQueue } from './delivery-queue';
import { DeliveryReconciler } from './delivery-reconciler.service';
import { DeliverySender } from './delivery-sender';
import { EventFactsCache } from './event-facts.cache';
import { SubscribersAdminService } from './subscribers-admin.service';

/** Fan-out, send and reconcile: what the worker runs. Needs QueueModule.forRoot() (global). */
@Module({
  imports: [MailModule, SubscriberLinksModule],
  providers: [
    DeliveriesRepository,
    DeliveryQueue,
    DeliveryComposers,
    EventFactsCache,
    AlertComposer,
    AlertFanoutService,
    DeliverySender,
    DeliveryReconciler,
  ],
  exports: [AlertFanoutService, DeliverySender, DeliveryReconciler, DeliveryComposers, DeliveryQueue],
})
export class AlertsModule {}

/** What editors see of subscribers and deliveries, and retry: what the admin API uses. */
@Module({
  providers: [DeliveryQueue, DeliveriesAdminService, SubscribersAdminService],
  exports: [DeliveriesAdminService, SubscribersAdminService],
})
export class AlertsAdminModule {}
