import { Injectable } from '@nestjs/common';
import type { DeliveryKind } from '@pledgewatch/database';
import type { PreparedMail } from '@pledgewatch/mail';
import type { DeliveryToSend, WebhookDeliveryToSend } from './deliveries.repository';

/** A rendered email, without what the channel adds itself (recipient address, Message-ID). */
export interface RenderedEmailMessage {
  subject: string;
  html: string;
  text: string;
  /** Per-recipient headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
}

/**
 * An email shared by many recipients, rendered and MIME-encoded once (PreparedMail), with this
 * recipient's own parts: the values of its placeholders (links) and its headers.
 */
export interface PreparedEmailMessage {
  prepared: PreparedMail;
  values: Record<string, string>;
  headers?: Record<string, string>;
}

export type EmailMessage = RenderedEmailMessage | PreparedEmailMessage;

/**
 * The channels a delivery can go out on, each with the message type its transport takes. A new
 * channel (the signed webhooks) is one more entry here and one DeliveryChannel: the sender, the
 * row's status, retries and the reconciler stay the same.
 */
export interface ChannelMessages {
  email: EmailMessage;
  webhook: WebhookMessage;
}
export type ChannelName = keyof ChannelMessages;

/** A signed HTTP POST: the endpoint, its current secret and the JSON body (WebhookChannel). */
export interface WebhookMessage {
  url: string;
  secret: string;
  body: string;
}

/** What each channel's composers are handed: a subscriber's delivery, or an endpoint's. */
export interface ChannelDeliveries {
  email: DeliveryToSend;
  webhook: WebhookDeliveryToSend;
}

/**
 * What a composer decides for one delivery: the message to send; or why it should not go out any
 * more (the subscriber left, turned this kind of email off, …), recorded as `suppressed` — not a
 * failure; or `skip`: nothing to do and nothing to record (the row is not in a sendable state).
 */
export type Composition<M = EmailMessage> = { send: M } | { suppress: string } | { skip: string };

/** Renders one kind of delivery (alert, confirmation, digest). The sender does the rest: the channel, the row. */
export interface DeliveryComposer<C extends ChannelName = 'email'> {
  compose(delivery: ChannelDeliveries[C]): Promise<Composition<ChannelMessages[C]>>;
}

export class NoComposerError extends Error {
  constructor(kind: DeliveryKind) {
    super(`no composer is registered for ${kind} deliveries`);
    this.name = 'NoComposerError';
  }
}

interface Registered {
  channel: ChannelName;
  composer: DeliveryComposer<ChannelName>;
}

/**
 * One send path for every delivery (retries, links and outcomes handled once): each feature that creates deliveries registers
 * the composer of its kind here, where it lives (alerts `alert`, digest `digest`, subscriptions
 * `confirmation`); libs/deliveries knows none of them.
 */
@Injectable()
export class DeliveryComposers {
  private readonly composers = new Map<DeliveryKind, Registered>();

  register<C extends ChannelName = 'email'>(kind: DeliveryKind, composer: DeliveryComposer<C>, channel: C = 'email' as C): void {
    if (this.composers.has(kind)) throw new Error(`a composer for ${kind} deliveries is already registered`);
    this.composers.set(kind, { channel, composer });
  }

  /** Boot check (a missing composer fails the start, not a send): every kind of delivery the database can hold has its composer. */
  assertEveryKind(kinds: readonly DeliveryKind[]): void {
    const missing = kinds.filter((kind) => !this.composers.has(kind));
    if (missing.length) throw new Error(`deliveries cannot send ${missing.join(', ')}: no composer registered`);
  }

  get(kind: DeliveryKind): Registered {
    const registered = this.composers.get(kind);
    if (!registered) throw new NoComposerError(kind);
    return registered;
  }
}
