import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { LinkPurpose, signLinkToken, verifyLinkToken } from './link-tokens';

export const SUBSCRIPTIONS_PATH = '/v1/subscriptions';

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

  unsubscribeUrl(subscriberId: string): string {
    return this.url('unsubscribe', signLinkToken(this.config.linkSecret, 'unsubscribe', subscriberId));
  }

  manageUrl(subscriberId: string): string {
    return this.url('manage', signLinkToken(this.config.linkSecret, 'manage', subscriberId));
  }

  /** The single-use link of a confirmation or "apply this change" email. */
  confirmUrl(token: string): string {
    return this.url('confirm', token);
  }

  /** Both links and the List-Unsubscribe headers for one recipient (one signature each). */
  forRecipient(subscriberId: string): RecipientLinks {
    const unsubscribeUrl = this.unsubscribeUrl(subscriberId);
    return {
      manageUrl: this.manageUrl(subscriberId),
      unsubscribeUrl,
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
  }

  /** The subscriber a link token names, or null when it is malformed or not ours. */
  subscriberIdFrom(purpose: LinkPurpose, token: string): string | null {
    return verifyLinkToken(this.config.linkSecret, purpose, token);
  }

  private url(page: 'unsubscribe' | 'manage' | 'confirm', token: string): string {
    return `${this.config.publicBaseUrl}${SUBSCRIPTIONS_PATH}/${page}?token=${encodeURIComponent(token)}`;
  }
}
