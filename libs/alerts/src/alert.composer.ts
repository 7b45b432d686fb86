import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { MailRenderer } from '@pledgewatch/mail';
import { Composition, DeliveryComposer, DeliveryComposers, DeliveryToSend } from '@pledgewatch/deliveries';
import { SubscriberLinks } from '@pledgewatch/subscriber-links';
import { alertTemplateData } from './alert-message';
import { EventFactsCache } from './event-facts.cache';

export const SUBSCRIBER_LEFT = 'subscriber left';

/** Instant alerts: one event, told to one subscriber who still wants alerts. */
@Injectable()
export class AlertComposer implements DeliveryComposer, OnModuleInit {
  constructor(
    private readonly composers: DeliveryComposers,
    private readonly facts: EventFactsCache,
    private readonly renderer: MailRenderer,
    private readonly links: SubscriberLinks,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.composers.register('alert', this);
  }

  async compose(delivery: DeliveryToSend): Promise<Composition> {
    if (delivery.state !== 'active' || !delivery.alerts) return { suppress: SUBSCRIBER_LEFT };
    const facts = delivery.eventId ? await this.facts.get(delivery.eventId) : null;
    if (!facts) return { suppress: 'event gone' };
    const { headers, ...links } = this.links.forRecipient(delivery.subscriberId);
    const data = alertTemplateData(facts, { publicBaseUrl: this.config.publicBaseUrl, ...links });
    return { send: { subject: data.subject, ...this.renderer.render('alert', data), headers } };
  }
}
