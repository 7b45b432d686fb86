import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { MailSendError, MailTransport } from '@pledgewatch/mail';
import type { DeliveryToSend } from './deliveries.repository';
import type { ChannelDeliveries, ChannelMessages, ChannelName } from './delivery-composers';

/** A failed attempt as the sender sees it: worth retrying, or never. */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** The server asked to slow down: not a failed attempt (MailSendRate pauses every worker). */
    readonly throttled = false,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/**
 * One way out (SMTP for email; signed HTTP for webhooks, webhook-channel.ts). `send` throws ChannelError;
 * `messageId` is the id every attempt at one delivery carries, recorded on the row.
 */
export interface DeliveryChannel<C extends ChannelName> {
  messageId(delivery: ChannelDeliveries[C]): string;
  send(delivery: ChannelDeliveries[C], message: ChannelMessages[C], messageId: string): Promise<void>;
}

/**
 * Email through the MailTransport (SMTP via nodemailer). Message-ID is `<delivery-id@host of
 * PUBLIC_BASE_URL>`: every attempt at a delivery carries the same, so a resend is recognisably the
 * same message.
 */
@Injectable()
export class EmailChannel implements DeliveryChannel<'email'> {
  private readonly host: string;

  constructor(
    private readonly transport: MailTransport,
    config: AppConfig,
  ) {
    this.host = new URL(config.publicBaseUrl).hostname;
  }

  messageId(delivery: DeliveryToSend): string {
    return `<${delivery.id}@${this.host}>`;
  }

  async send(delivery: DeliveryToSend, message: ChannelMessages['email'], messageId: string): Promise<void> {
    try {
      await this.transport.send({ to: delivery.email, ...message, messageId });
    } catch (error) {
      const permanent = error instanceof MailSendError && !error.transient;
      const throttled = error instanceof MailSendError && error.throttled;
      throw new ChannelError(error instanceof Error ? error.message : String(error), permanent, throttled);
    }
  }
}
