import { Injectable, OnModuleInit } from '@nestjs/common';
import { Composition, DeliveryComposer, DeliveryComposers, DeliveryToSend } from '@pledgewatch/alerts';
import { ConfirmationMailer } from '@pledgewatch/subscriptions';

/**
 * `confirmation` deliveries on the one send path: subscriptions' ConfirmationMailer renders them
 * (and mints the single-use link); email.send does the rest like for any email. The API sends a
 * confirmation straight away after the subscribe commits; this is how one left `queued` (a
 * transient SMTP failure, a process that died) is sent by the reconciler.
 */
@Injectable()
export class ConfirmationComposer implements DeliveryComposer, OnModuleInit {
  constructor(
    private readonly composers: DeliveryComposers,
    private readonly mailer: ConfirmationMailer,
  ) {}

  onModuleInit(): void {
    this.composers.register('confirmation', this);
  }

  async compose(delivery: DeliveryToSend): Promise<Composition> {
    const composition = await this.mailer.compose(delivery.id);
    if (!composition) return { skip: 'not a queued confirmation' };
    if ('suppress' in composition) return composition;
    const { subject, html, text } = composition.send;
    return { send: { subject, html, text } };
  }
}
