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

/** Subscribing, confirming, unsubscribing and managing; the API's pages; confirmation emails. */
@Module({
  imports: [MailModule, SubscriberLinksModule],
  providers: [SubscriptionsRepository, SubscriptionsService, SubscribeRateLimiter, ConfirmationMailer, SubscriptionPages],
  exports: [SubscriptionsService, SubscriptionPages, ConfirmationMailer, SubscriberLinksModule],
})
export class SubscriptionsModule {}
