import { Module } from '@nestjs/common';
import { DeliverySendingModule } from '@pledgewatch/deliveries';
import { MailRenderingModule } from '@pledgewatch/mail';
import { SubscriberLinksModule } from '@pledgewatch/subscriber-links';
import { AlertDeliveriesRepository } from './alert-deliveries.repository';
import { AlertFanoutService } from './alert-fanout.service';
import { AlertComposer } from './alert.composer';
import { EventFactsCache } from './event-facts.cache';

/**
 * Instant alerts, in the worker: the fan-out (event → alert deliveries → send jobs) and the
 * `alert` composer it registers with libs/deliveries. Needs QueueModule.forRoot() (global).
 */
@Module({
  imports: [DeliverySendingModule, MailRenderingModule, SubscriberLinksModule],
  providers: [AlertDeliveriesRepository, EventFactsCache, AlertComposer, AlertFanoutService],
  exports: [AlertFanoutService],
})
export class AlertsModule {}
