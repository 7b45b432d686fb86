import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { MailPlaceholders, MailRenderer, PreparedMail } from '@pledgewatch/mail';
import { Composition, DeliveryComposer, DeliveryComposers, DeliveryToSend } from '@pledgewatch/deliveries';
import { SubscriberLinks } from '@pledgewatch/subscriber-links';
import { AlertFacts, alertTemplateData } from './alert-message';
import { EventFactsCache } from './event-facts.cache';

export const SUBSCRIBER_LEFT = 'subscriber left';

/** The per-recipient headers of every alert (SubscriberLinks.forRecipient). */
const RECIPIENT_HEADERS = ['List-Unsubscribe', 'List-Unsubscribe-Post'];

/**
 * Instant alerts: one event, told to one subscriber who still wants alerts.
 *
 * Every recipient of an event gets the same email but for their address and links, so the email
 * is rendered and MIME-encoded once per event (PreparedMail, with placeholders for the links) and
 * each send only joins in the recipient's own parts. The prepared mail lives as long as the
 * event's cached facts do (keyed by that object), so it never outlives what it was rendered from.
 */
@Injectable()
export class AlertComposer implements DeliveryComposer, OnModuleInit {
  private readonly prepared = new WeakMap<AlertFacts, Promise<PreparedMail>>();

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
    const { headers, manageUrl, unsubscribeUrl } = this.links.forRecipient({ id: delivery.subscriberId, linkEpoch: delivery.linkEpoch });
    return { send: { prepared: await this.prepare(facts), values: { manageUrl, unsubscribeUrl }, headers } };
  }

  /** The event's alert, rendered once with placeholders for each recipient's links. */
  private prepare(facts: AlertFacts): Promise<PreparedMail> {
    let prepared = this.prepared.get(facts);
    if (!prepared) {
      const placeholders = new MailPlaceholders(['manageUrl', 'unsubscribeUrl'] as const);
      const data = alertTemplateData(facts, { publicBaseUrl: this.config.publicBaseUrl, ...placeholders.tokens });
      prepared = PreparedMail.prepare(this.config.mailFrom, data.subject, this.renderer.render('alert', data), placeholders, RECIPIENT_HEADERS);
      this.prepared.set(facts, prepared);
      // A failed preparation is not remembered: the next send tries again.
      prepared.catch(() => this.prepared.delete(facts));
    }
    return prepared;
  }
}
