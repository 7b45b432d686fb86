import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { MailRenderer, MailSendError, MailTransport, OutgoingMail } from '@pledgewatch/mail';
import { SubscriberLinks } from './subscriber-links';
import { ConfirmationDelivery, SubscriptionsRepository } from './subscriptions.repository';
import { describePreferences, describeTopics } from './subscription-view';

/** How long a confirm or apply-change link works. */
export const CONFIRMATION_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type ConfirmationOutcome = 'sent' | 'retry_later' | 'failed' | 'suppressed' | 'skipped';

export type ConfirmationMessage = Omit<OutgoingMail, 'messageId'>;

/** The message, or why it should not go out any more (a skip, not a failure). */
export type ConfirmationComposition = { send: ConfirmationMessage } | { suppress: string };

const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * Sends `confirmation` deliveries: "confirm your subscription" to a pending address, "apply these
 * changes" to an active one.
 *
 * Today the API calls `sendSoon` after the subscribe transaction commits: the send runs in the
 * background of the API process, never inside the request's transaction and never awaited by it.
 * `send(deliveryId)` is the whole job — it reloads the row and records the outcome on it — and
 * `compose(deliveryId)` its rendering half, so the generic `email.send` processor can take
 * confirmations over (a delivery left `queued` by a dead process or a transient SMTP failure is
 * then found by the reconciler like any other).
 *
 * The single-use token is minted at send time and only its hash is stored, so no usable link
 * ever sits in the database; a resend mints a new one and the previous link stops working.
 */
@Injectable()
export class ConfirmationMailer implements OnModuleDestroy {
  private readonly logger = new Logger(ConfirmationMailer.name);
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly messageIdHost: string;

  constructor(
    private readonly repository: SubscriptionsRepository,
    private readonly links: SubscriberLinks,
    private readonly renderer: MailRenderer,
    private readonly transport: MailTransport,
    config: AppConfig,
  ) {
    this.messageIdHost = new URL(config.publicBaseUrl).hostname;
  }

  /** Fire and forget, for the request path; shutdown waits for what is in flight. */
  sendSoon(deliveryId: string): void {
    const sending: Promise<unknown> = this.send(deliveryId)
      .catch((error: unknown) => this.logger.error(`confirmation ${deliveryId}: ${(error as Error)?.stack ?? error}`))
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  /** Sends one confirmation delivery and records the outcome on its row. */
  async send(deliveryId: string): Promise<ConfirmationOutcome> {
    const composition = await this.compose(deliveryId);
    if (!composition) return 'skipped';
    if ('suppress' in composition) {
      await this.repository.markDeliverySuppressed(deliveryId, composition.suppress);
      return 'suppressed';
    }
    const mail: OutgoingMail = { ...composition.send, messageId: this.messageIdFor(deliveryId) };
    try {
      await this.transport.send(mail);
    } catch (error) {
      const transient = !(error instanceof MailSendError) || error.transient;
      await this.repository.recordDeliveryFailure(deliveryId, (error as Error).message, !transient, mail.messageId);
      this.logger.warn(`confirmation ${deliveryId} not sent (${transient ? 'will retry' : 'permanent'}): ${(error as Error).message}`);
      return transient ? 'retry_later' : 'failed';
    }
    await this.repository.markDeliverySent(deliveryId, mail.messageId);
    return 'sent';
  }

  /**
   * Renders a queued confirmation delivery — minting its single-use link — or says why it should
   * no longer go out; null when there is no queued confirmation delivery of that id. This is the
   * seam for the generic email.send processor: its `confirmation` composer is this method.
   */
  async compose(deliveryId: string): Promise<ConfirmationComposition | null> {
    const delivery = await this.repository.findConfirmationDelivery(deliveryId);
    if (!delivery || delivery.status !== 'queued') return null;
    const wanted = delivery.payload.template === 'confirmation' ? 'pending' : 'active';
    if (delivery.subscriber.state !== wanted) return { suppress: `subscriber is ${delivery.subscriber.state}, not ${wanted}` };
    return { send: await this.render(delivery) };
  }

  /** `<delivery-id@host of PUBLIC_BASE_URL>`: a resend of one delivery is recognisably the same message. */
  messageIdFor(deliveryId: string): string {
    return `<${deliveryId}@${this.messageIdHost}>`;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async render(delivery: ConfirmationDelivery): Promise<ConfirmationMessage> {
    const { subscriber, payload } = delivery;
    const change = payload.template === 'apply-change' ? payload.change : null;
    const { token, expiresAt } = await this.repository.issueToken(
      subscriber.id,
      change ? 'apply_change' : 'confirm',
      change,
      CONFIRMATION_TOKEN_TTL_MS,
    );
    const subject = change ? 'Confirm the changes to your Pledgewatch subscription' : 'Confirm your Pledgewatch subscription';
    const { html, text } = this.renderer.render(payload.template, {
      subject,
      email: subscriber.email,
      topics: describeTopics(change ? await this.repository.describeRows(change.topics) : subscriber.topics),
      delivery: describePreferences(change ? change.preferences : subscriber),
      confirmUrl: this.links.confirmUrl(token),
      expiresOn: LONG_DATE.format(expiresAt),
      manageUrl: this.links.manageUrl(subscriber.id),
      unsubscribeUrl: this.links.unsubscribeUrl(subscriber.id),
      footerNote: 'You receive this because this address was entered on Pledgewatch.',
    });
    return { to: subscriber.email, subject, html, text, headers: this.links.listUnsubscribeHeaders(subscriber.id) };
  }
}
