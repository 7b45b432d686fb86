import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { isLinkExpired, linkExpiryDay, LinkPurpose, readLinkToken, signLinkToken, verifyLinkToken } from './link-tokens';

export const SUBSCRIPTIONS_PATH = '/v1/subscriptions';

/** Whose links: the subscriber and its link generation (Subscriber.linkEpoch; raising it revokes every link sent). */
export interface LinkHolder {
  id: string;
  linkEpoch: number;
}

/** What every email to a subscriber carries: its manage and unsubscribe links and the RFC 8058 headers. */
export interface RecipientLinks {
  manageUrl: string;
  unsubscribeUrl: string;
  headers: Record<string, string>;
}

/**
 * The links every email carries, and the check of the tokens in them. A capability of its own,
 * below every feature that emails subscribers (alerts, digest, subscriptions): the composers sign
 * their recipient's links here, and libs/deliveries never needs to know what a subscriber link is.
 */
@Injectable()
export class SubscriberLinks implements OnModuleInit {
  private readonly logger = new Logger(SubscriberLinks.name);

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    if (this.config.linkSecretIsDevDefault) {
      this.logger.warn('LINK_SECRET is unset: unsubscribe and manage links are signed with the public development secret. Set LINK_SECRET (at least 32 random characters) before real use.');
    }
  }

  /** The recipient's link, valid for LINK_TTL_DAYS and until its link generation (Subscriber.linkEpoch) moves on. */
  unsubscribeUrl(subscriber: LinkHolder): string {
    return this.url('unsubscribe', this.sign('unsubscribe', subscriber));
  }

  manageUrl(subscriber: LinkHolder): string {
    return this.url('manage', this.sign('manage', subscriber));
  }

  /** The single-use link of a confirmation or "apply this change" email. */
  confirmUrl(token: string): string {
    return this.url('confirm', token);
  }

  /** Both links and the List-Unsubscribe headers for one recipient (one signature each). */
  forRecipient(subscriber: LinkHolder): RecipientLinks {
    const unsubscribeUrl = this.unsubscribeUrl(subscriber);
    return {
      manageUrl: this.manageUrl(subscriber),
      unsubscribeUrl,
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
  }

  /** The subscriber a link token claims to be for, unverified (its generation is in the database), or null when malformed. */
  claimedSubscriber(token: string): string | null {
    return readLinkToken(token)?.subscriberId ?? null;
  }

  /** A link token checked against its subscriber's current generation: forged or revoked is `invalid`, old is `expired`. */
  verdict(purpose: LinkPurpose, token: string, subscriber: LinkHolder, now = Date.now()): 'valid' | 'invalid' | 'expired' {
    const claims = readLinkToken(token);
    if (!claims || claims.subscriberId !== subscriber.id.toLowerCase()) return 'invalid';
    if (!verifyLinkToken(this.config.linkSecret, purpose, token, subscriber.linkEpoch)) return 'invalid';
    return isLinkExpired(claims, now) ? 'expired' : 'valid';
  }

  private sign(purpose: LinkPurpose, subscriber: LinkHolder): string {
    const claims = { subscriberId: subscriber.id, expiryDay: linkExpiryDay(this.config.linkTtlDays) };
    return signLinkToken(this.config.linkSecret, purpose, claims, subscriber.linkEpoch);
  }

  private url(page: 'unsubscribe' | 'manage' | 'confirm', token: string): string {
    return `${this.config.publicBaseUrl}${SUBSCRIPTIONS_PATH}/${page}?token=${encodeURIComponent(token)}`;
  }
}
