import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { MailSendError, MailTransport } from '@pledgewatch/mail';
import { SubscriberLinks } from '@pledgewatch/subscriptions';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryComposers } from './delivery-composers';

export type SendOutcome = 'sent' | 'already_sent' | 'suppressed' | 'skipped' | 'gone';

/** A send that must not be tried again (SMTP 5xx): the delivery is already `failed`. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/**
 * `<delivery-id@host of PUBLIC_BASE_URL>`: every attempt at one delivery carries the same
 * Message-ID (the rule ConfirmationMailer uses too, so a delivery's id does not depend on its path).
 */
export function messageIdFor(deliveryId: string, publicBaseUrl: string): string {
  return `<${deliveryId}@${new URL(publicBaseUrl).hostname}>`;
}

/**
 * Sends one delivery: reloads it with its subscriber, lets the composer of its kind decide and
 * render, adds Message-ID and the RFC 8058 unsubscribe headers, hands it to the transport and
 * records the outcome on the row. The row's `sent` status is what makes a repeated job (a retry,
 * the reconciler, a duplicate) send nothing twice.
 */
@Injectable()
export class DeliverySender {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly composers: DeliveryComposers,
    private readonly transport: MailTransport,
    private readonly links: SubscriberLinks,
    private readonly config: AppConfig,
  ) {}

  /**
   * `lastAttempt`: a transient failure now marks the delivery `failed` instead of leaving it
   * `queued` for a retry that will not come. Throws PermanentDeliveryError for a permanent
   * failure, and the transport's error for a transient one.
   */
  async send(deliveryId: string, lastAttempt: boolean): Promise<SendOutcome> {
    const delivery = await this.deliveries.findToSend(deliveryId);
    if (!delivery) return 'gone';
    if (delivery.status === 'sent') return 'already_sent';

    const [manageUrl, unsubscribeUrl, headers] = await Promise.all([
      this.links.manageUrl(delivery.subscriberId),
      this.links.unsubscribeUrl(delivery.subscriberId),
      this.links.listUnsubscribeHeaders(delivery.subscriberId),
    ]);
    const composition = await this.composers.get(delivery.kind).compose(delivery, { manageUrl, unsubscribeUrl });
    if ('skip' in composition) return 'skipped';
    if ('suppress' in composition) {
      await this.deliveries.markSuppressed(delivery.id, composition.suppress);
      return 'suppressed';
    }

    const messageId = messageIdFor(delivery.id, this.config.publicBaseUrl);
    try {
      await this.transport.send({ to: delivery.email, ...composition.send, messageId, headers });
    } catch (error) {
      const permanent = error instanceof MailSendError && !error.transient;
      const message = error instanceof Error ? error.message : String(error);
      await this.deliveries.recordFailure(delivery.id, message, permanent || lastAttempt);
      if (permanent) throw new PermanentDeliveryError(message);
      throw error;
    }
    await this.deliveries.markSent(delivery.id, messageId);
    return 'sent';
  }
}
