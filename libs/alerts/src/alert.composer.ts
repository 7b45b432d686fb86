import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { MailRenderer } from '@pledgewatch/mail';
import { alertTemplateData } from './alert-message';
import type { DeliveryToSend } from './deliveries.repository';
import { Composition, DeliveryComposer, DeliveryComposers, RecipientLinks } from './delivery-composers';
import { EventFactsCache } from './event-facts.cache';

export const SUBSCRIBER_LEFT = 'subscriber left';

/** Instant alerts: one event, told to one subscriber who still wants alerts. */
@Injectable()
export class AlertComposer implements DeliveryComposer, OnModuleInit {
  constructor(
    private readonly composers: DeliveryComposers,
    private readonly facts: EventFactsCache,
    private readonly renderer: MailRenderer,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.composers.register('alert', this);
  }

  async compose(delivery: DeliveryToSend, links: RecipientLinks): Promise<Composition> {
    if (delivery.state !== 'active' || !delivery.alerts) return { suppress: SUBSCRIBER_LEFT };
    const facts = delivery.eventId ? await this.facts.get(delivery.eventId) : null;
    if (!facts) return { suppress: 'event gone' };
    const data = alertTemplateData(facts, { publicBaseUrl: this.config.publicBaseUrl, ...links });
    return { send: { subject: data.subject, ...this.renderer.render('alert', data) } };
  }
}
