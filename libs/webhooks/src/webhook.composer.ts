import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { Composition, DeliveryComposer, DeliveryComposers, WebhookDeliveryToSend, WebhookMessage } from '@pledgewatch/deliveries';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { webhookPayload } from './webhook-payload';

/** `webhook` deliveries: the event as JSON, for the endpoint's URL and current secret (WebhookChannel signs and POSTs). */
@Injectable()
export class WebhookComposer implements DeliveryComposer<'webhook'>, OnModuleInit {
  constructor(
    private readonly composers: DeliveryComposers,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.composers.register('webhook', this, 'webhook');
  }

  async compose(delivery: WebhookDeliveryToSend): Promise<Composition<WebhookMessage>> {
    const endpoint = await this.endpoints.findForSending(delivery.webhookEndpointId);
    if (!endpoint) return { suppress: 'endpoint deleted' };
    if (!endpoint.enabled) return { suppress: `endpoint disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}` };
    const event = delivery.eventId ? await this.endpoints.findEventForPayload(delivery.eventId) : null;
    if (!event) return { suppress: 'event gone' };
    const body = JSON.stringify(webhookPayload(event, this.config.publicBaseUrl));
    return { send: { url: endpoint.url, secret: endpoint.secret, body } };
  }
}
