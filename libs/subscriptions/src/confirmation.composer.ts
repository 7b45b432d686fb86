import { Injectable, OnModuleInit } from '@nestjs/common';
import { Composition, DeliveryComposer, DeliveryComposers, DeliveryToSend, EmailMessage } from '@pledgewatch/deliveries';
import { MailRenderer } from '@pledgewatch/mail';
import { SubscriberLinks } from '@pledgewatch/subscriber-links';
import { describePreferences, describeTopics } from './subscription-view';
import { ConfirmationDelivery, SubscriptionsRepository } from './subscriptions.repository';

/** How long a confirm or apply-change link works. */
export const CONFIRMATION_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * `confirmation` deliveries on the one send path (libs/deliveries): "confirm your subscription" to
 * a pending address, "apply these changes" to an active one. The subscribe request only recorded
 * the request; this is where the branch on the address's state runs, in the worker, after the
 * request was answered (SubscriptionsRepository.decideConfirmation).
 *
 * The single-use token is minted at send time and only its hash is stored, so no usable link
 * ever sits in the database; a resend mints a new one and the previous link stops working.
 */
@Injectable()
export class ConfirmationComposer implements DeliveryComposer, OnModuleInit {
  constructor(
    private readonly composers: DeliveryComposers,
    private readonly repository: SubscriptionsRepository,
    private readonly links: SubscriberLinks,
    private readonly renderer: MailRenderer,
  ) {}

  onModuleInit(): void {
    this.composers.register('confirmation', this);
  }

  async compose(delivery: DeliveryToSend): Promise<Composition> {
    if (delivery.status !== 'queued') return { skip: 'not a queued confirmation' };
    const decided = await this.repository.decideConfirmation(delivery.id);
    if (!decided) return { skip: 'not a queued confirmation' };
    const wanted = decided.payload.template === 'confirmation' ? 'pending' : 'active';
    if (decided.subscriber.state !== wanted) return { suppress: `subscriber is ${decided.subscriber.state}, not ${wanted}` };
    return { send: await this.render(decided) };
  }

  private async render({ subscriber, payload }: ConfirmationDelivery): Promise<EmailMessage> {
    const change = payload.template === 'apply-change' ? payload.change : null;
    const { token, expiresAt } = await this.repository.issueToken(
      subscriber.id,
      change ? 'apply_change' : 'confirm',
      change,
      CONFIRMATION_TOKEN_TTL_MS,
    );
    const { headers, manageUrl, unsubscribeUrl } = this.links.forRecipient(subscriber);
    const subject = change ? 'Confirm the changes to your Pledgewatch subscription' : 'Confirm your Pledgewatch subscription';
    const { html, text } = this.renderer.render(payload.template, {
      subject,
      email: subscriber.email,
      topics: describeTopics(change ? await this.repository.describeRows(change.topics) : subscriber.topics),
      delivery: describePreferences(change ? change.preferences : subscriber),
      confirmUrl: this.links.confirmUrl(token),
      expiresOn: LONG_DATE.format(expiresAt),
      manageUrl,
      unsubscribeUrl,
      footerNote: 'You receive this because this address was entered on Pledgewatch.',
    });
    return { subject, html, text, headers };
  }
}
