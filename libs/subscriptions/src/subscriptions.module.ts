import { Module } from '@nestjs/common';
import { DeliveriesModule, DeliverySendingModule } from '@pledgewatch/deliveries';
import { MailRenderingModule } from '@pledgewatch/mail';
import { SubscriberLinksModule } from '@pledgewatch/subscriber-links';
import { ConfirmationComposer } from './confirmation.composer';
import { SubscribeRateLimiter } from './subscribe-rate-limiter';
import { SubscriberRetention } from './subscriber-retention.service';
import { SubscribersAdminService } from './subscribers-admin.service';
import { SubscriptionPages } from './subscription-pages';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Subscribing, confirming, unsubscribing and managing, and the API's pages. A subscribe request
 * becomes a queued confirmation delivery and a send job; the API never sends. Needs
 * QueueModule.forRoot() (global).
 */
@Module({
  imports: [DeliveriesModule, SubscriberLinksModule],
  providers: [SubscriptionsRepository, SubscriptionsService, SubscribeRateLimiter, SubscriptionPages],
  exports: [SubscriptionsService, SubscriptionPages, SubscriberLinksModule],
})
export class SubscriptionsModule {}

/** The worker's part: the `confirmation` composer, registered with the one send path. */
@Module({
  imports: [DeliverySendingModule, MailRenderingModule, SubscriberLinksModule],
  providers: [SubscriptionsRepository, ConfirmationComposer],
})
export class ConfirmationSendingModule {}

/** The worker's erasure of personal data past its keeping time (docs/privacy.md). */
@Module({
  providers: [SubscriptionsRepository, SubscriberRetention],
  exports: [SubscriberRetention],
})
export class SubscriberRetentionModule {}

/** What admins see of subscribers. */
@Module({
  providers: [SubscriptionsRepository, SubscribersAdminService],
  exports: [SubscribersAdminService],
})
export class SubscribersAdminModule {}
