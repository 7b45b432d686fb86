import { Module } from '@nestjs/common';
import { MailModule } from '@pledgewatch/mail';
import { ConfirmationMailer } from './confirmation-mailer';
import { SubscribeRateLimiter } from './subscribe-rate-limiter';
import { SubscriberLinks } from './subscriber-links';
import { SubscriptionPages } from './subscription-pages';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';

/** Only the links every email carries (alerts, digests): stateless, no I/O. */
@Module({ providers: [SubscriberLinks], exports: [SubscriberLinks] })
export class SubscriberLinksModule {}

/**
 * Only what renders and sends `confirmation` deliveries, without the API's pages and rate limiter:
 * what the worker's email.send processor needs to send a confirmation left queued.
 */
@Module({
  imports: [MailModule, SubscriberLinksModule],
  providers: [SubscriptionsRepository, ConfirmationMailer],
  exports: [ConfirmationMailer],
})
export class ConfirmationMailModule {}

/** Subscribing, confirming, unsubscribing and managing; the API's pages; confirmation emails. */
@Module({
  imports: [MailModule, SubscriberLinksModule],
  providers: [SubscriptionsRepository, SubscriptionsService, SubscribeRateLimiter, ConfirmationMailer, SubscriptionPages],
  exports: [SubscriptionsService, SubscriptionPages, ConfirmationMailer, SubscriberLinksModule],
})
export class SubscriptionsModule {}
