import { Injectable } from '@nestjs/common';
import { UnprocessableError } from '@pledgewatch/problems';
import { ConfirmationMailer } from './confirmation-mailer';
import { isSingleUseTokenShaped, LinkPurpose } from './link-tokens';
import { SUBSCRIBE_LIMITS, SubscribeRateLimiter } from './subscribe-rate-limiter';
import { SubscriberLinks } from './subscriber-links';
import { LinkTokenError, SubscriberGoneError } from './subscription-errors';
import { parseSubscribeRequest, PreferencesUpdate, requireTopics, TopicRefs } from './subscription-input';
import { ManageCatalog } from './subscription-pages';
import { SubscriberRecord, topicRefsOf } from './subscription-view';
import { SubscriptionsRepository, TopicRow } from './subscriptions.repository';

export type ConfirmOutcome = 'confirmed' | 'changed' | 'already_active';

/** Subscribe with double opt-in, and what the links in emails do (SPEC §2.5, §3). */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly repository: SubscriptionsRepository,
    private readonly limiter: SubscribeRateLimiter,
    private readonly mailer: ConfirmationMailer,
    private readonly links: SubscriberLinks,
  ) {}

  /**
   * Records the request and emails a link; the caller learns nothing about the address (same
   * answer for new, pending and active). Limits: per client first, so junk costs no database work.
   */
  async subscribe(body: unknown, clientIp: string): Promise<void> {
    await this.limiter.consume('subscribe-ip', clientIp, SUBSCRIBE_LIMITS.perIp);
    const request = parseSubscribeRequest(body);
    await this.limiter.consume('subscribe-address', request.email, SUBSCRIBE_LIMITS.perAddress);
    const topics = await this.resolveTopics(request.topics);
    const { deliveryId } = await this.repository.recordSubscribeRequest(request.email, topics, request.preferences);
    // After the commit, never awaited by the request (STYLE 10).
    this.mailer.sendSoon(deliveryId);
  }

  /** Follows a confirm / apply-change link: once. */
  async confirm(token: string | undefined): Promise<{ outcome: ConfirmOutcome; subscriber: SubscriberRecord }> {
    if (!token || !isSingleUseTokenShaped(token)) throw LinkTokenError.invalid();
    const redemption = await this.repository.redeemToken(token);
    switch (redemption.outcome) {
      case 'invalid':
        throw LinkTokenError.invalid();
      case 'used':
        throw LinkTokenError.used();
      case 'expired':
        throw LinkTokenError.expired();
    }
    return { outcome: redemption.outcome, subscriber: await this.load(redemption.subscriberId) };
  }

  /** The subscriber an unsubscribe or manage link names; 400 for a bad token, 404 when deleted. */
  async subscriberFor(purpose: LinkPurpose, token: string | undefined): Promise<SubscriberRecord> {
    const id = token ? this.links.subscriberIdFrom(purpose, token) : null;
    if (!id) throw LinkTokenError.invalid();
    return this.load(id);
  }

  /** One-click unsubscribe: idempotent. */
  async unsubscribe(token: string | undefined): Promise<SubscriberRecord> {
    const subscriber = await this.subscriberFor('unsubscribe', token);
    await this.repository.unsubscribe(subscriber.id);
    return this.load(subscriber.id);
  }

  catalog(): Promise<ManageCatalog> {
    return this.repository.catalog();
  }

  /**
   * Saves a change from the manage page, or leaves. The link came by email to this address, so
   * a deliberate POST with it is the address owner's; it re-subscribes a once-confirmed address
   * that had left, but never confirms a pending one (that stays the confirmation link's job).
   */
  async updatePreferences(token: string | undefined, update: PreferencesUpdate): Promise<{ left: boolean; subscriber: SubscriberRecord }> {
    const subscriber = await this.subscriberFor('manage', token);
    if (update.leave) {
      await this.repository.unsubscribe(subscriber.id);
      return { left: true, subscriber: await this.load(subscriber.id) };
    }
    const topicsChanged = Object.keys(update.topics).length > 0;
    const topics: TopicRefs = { ...topicRefsOf(subscriber.topics), ...update.topics };
    requireTopics(topics);
    const rows = topicsChanged ? await this.resolveTopics(topics) : null;
    const rejoin = subscriber.state === 'unsubscribed' && subscriber.confirmedAt ? 'active' : undefined;
    await this.repository.updatePreferences(subscriber.id, update.preferences, rows, rejoin);
    return { left: false, subscriber: await this.load(subscriber.id) };
  }

  private async resolveTopics(topics: TopicRefs): Promise<TopicRow[]> {
    const resolved = await this.repository.resolveTopics(topics);
    if (!Array.isArray(resolved)) {
      const what = { unknown_country: 'country', unknown_sector: 'sector', unknown_workstream: 'workstream' }[resolved.code];
      throw new UnprocessableError(resolved.code, `Unknown ${what}: ${resolved.errors.map((e) => e.message).join(' ')}`, resolved.errors);
    }
    return resolved;
  }

  private async load(id: string): Promise<SubscriberRecord> {
    const subscriber = await this.repository.findSubscriber(id);
    if (!subscriber) throw new SubscriberGoneError();
    return subscriber;
  }
}
