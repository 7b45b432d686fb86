import { Injectable } from '@nestjs/common';
import type { DeliveryKind } from '@pledgewatch/database';
import type { DeliveryToSend } from './deliveries.repository';

/** The links every email carries, made once per send by the sender. */
export interface RecipientLinks {
  manageUrl: string;
  unsubscribeUrl: string;
}

/**
 * What a composer decides for one delivery: the message to send; or why it should not go out any
 * more (the subscriber left, turned this kind of email off, …), recorded as `suppressed` — not a
 * failure; or `skip`: nothing to do and nothing to record (the row is not in a sendable state).
 */
export type Composition =
  | { send: { subject: string; html: string; text: string } }
  | { suppress: string }
  | { skip: string };

/** Renders one kind of delivery (alert, confirmation, digest). The sender does the rest: headers, transport, the row. */
export interface DeliveryComposer {
  compose(delivery: DeliveryToSend, links: RecipientLinks): Promise<Composition>;
}

export class NoComposerError extends Error {
  constructor(kind: DeliveryKind) {
    super(`no composer is registered for ${kind} deliveries`);
    this.name = 'NoComposerError';
  }
}

/**
 * One send path for every email (STYLE habit 5): each feature that creates deliveries registers the
 * composer of its kind here (alerts register `alert`; a digest module would register `digest`), and
 * the `email.send` processor sends them all alike.
 */
@Injectable()
export class DeliveryComposers {
  private readonly composers = new Map<DeliveryKind, DeliveryComposer>();

  register(kind: DeliveryKind, composer: DeliveryComposer): void {
    if (this.composers.has(kind)) throw new Error(`a composer for ${kind} deliveries is already registered`);
    this.composers.set(kind, composer);
  }

  /** Boot check (STYLE habit 2): every kind of delivery the database can hold has its composer. */
  assertEveryKind(kinds: readonly DeliveryKind[]): void {
    const missing = kinds.filter((kind) => !this.composers.has(kind));
    if (missing.length) throw new Error(`email.send cannot send ${missing.join(', ')} deliveries: no composer registered`);
  }

  get(kind: DeliveryKind): DeliveryComposer {
    const composer = this.composers.get(kind);
    if (!composer) throw new NoComposerError(kind);
    return composer;
  }
}
