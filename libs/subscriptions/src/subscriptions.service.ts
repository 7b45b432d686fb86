import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { DeliveryQueue } from '@pledgewatch/deliveries';
import { FieldError, UnprocessableError } from '@pledgewatch/problems';
import { isSingleUseTokenShaped, LinkPurpose, SubscriberLinks } from '@pledgewatch/subscriber-links';
import { SubscribeRateLimiter } from './subscribe-rate-limiter';
import { LinkTokenError, SubscriberGoneError } from './subscription-errors';
import { parseSubscribeRequest, PreferencesUpdate, requireTopics, TopicRefs } from './subscription-input';
import { ManageCatalog } from './subscription-pages';
import { SubscriberRecord, topicRefsOf } from './subscription-view';
import { KnownTopics, SubscriptionsRepository, TopicRow } from './subscriptions.repository';

export type ConfirmOutcome = 'confirmed' | 'changed' | 'already_active';

/** Topic names → rows, or a 422 naming every one that does not exist. */
export function topicRows(topics: TopicRefs, known: KnownTopics): TopicRow[] {
  const unknown: Record<'unknown_country' | 'unknown_sector' | 'unknown_workstream', FieldError[]> = { unknown_country: [], unknown_sector: [], unknown_workstream: [] };
  topics.countries.forEach((code, i) => {
    if (!known.countries.has(code)) unknown.unknown_country.push({ field: `countries.${i}`, code: 'unknown_country', message: `No country "${code}".` });
  });
  topics.sectors.forEach((slug, i) => {
    if (!known.sectors.has(slug)) unknown.unknown_sector.push({ field: `sectors.${i}`, code: 'unknown_sector', message: `No sector "${slug}".` });
  });
  topics.intersections.forEach(({ country, sector }, i) => {
    if (!known.countries.has(country)) unknown.unknown_country.push({ field: `intersections.${i}.country`, code: 'unknown_country', message: `No country "${country}".` });
    if (!known.sectors.has(sector)) unknown.unknown_sector.push({ field: `intersections.${i}.sector`, code: 'unknown_sector', message: `No sector "${sector}".` });
  });
  topics.workstreams.forEach((slug, i) => {
    if (!known.workstreams.has(slug)) unknown.unknown_workstream.push({ field: `workstreams.${i}`, code: 'unknown_workstream', message: `No workstream "${slug}".` });
  });
  const errors = Object.values(unknown).flat();
  if (errors.length) {
    const code = errors[0].code;
    const what = { unknown_country: 'country', unknown_sector: 'sector', unknown_workstream: 'workstream' }[code as keyof typeof unknown];
    throw new UnprocessableError(code, `Unknown ${what}: ${errors.map((e) => e.message).join(' ')}`, errors);
  }
  return [
    ...topics.countries.map((countryCode) => ({ countryCode, sectorSlug: null, workstreamId: null })),
    ...topics.sectors.map((sectorSlug) => ({ countryCode: null, sectorSlug, workstreamId: null })),
    ...topics.intersections.map(({ country, sector }) => ({ countryCode: country, sectorSlug: sector, workstreamId: null })),
    ...topics.workstreams.map((slug) => ({ countryCode: null, sectorSlug: null, workstreamId: known.workstreams.get(slug)! })),
  ];
}

/** Subscribe with double opt-in, and what the links in emails do (docs/api.md#subscribing-double-opt-in). */
@Injectable()
export class SubscriptionsService {
  private readonly logger = new Logger(SubscriptionsService.name);

  constructor(
    private readonly repository: SubscriptionsRepository,
    private readonly limiter: SubscribeRateLimiter,
    private readonly deliveries: DeliveryQueue,
    private readonly links: SubscriberLinks,
    private readonly config: AppConfig,
  ) {}

  /**
   * Records the request and answers; the caller learns nothing about the address, neither from
   * the answer nor from its timing: the request does the same work for a new, pending or active
   * address (one statement writes the subscriber row and a queued `confirmation` delivery, then
   * one send job is enqueued). Whether it becomes "confirm" or "apply these changes" is decided
   * by the worker (ConfirmationComposer). Limits: per client first, so junk costs no database work.
   */
  async subscribe(body: unknown, clientIp: string): Promise<void> {
    const limits = this.config.subscribeLimits;
    await this.limiter.consume('subscribe-ip', clientIp, limits.perIp);
    const request = parseSubscribeRequest(body);
    await this.limiter.consume('subscribe-address', request.email, limits.perAddress);
    const topics = await this.resolveTopics(request.topics);
    const { deliveryId } = await this.repository.recordSubscribeRequest(request.email, { preferences: request.preferences, topics });
    // The outbox pattern: the row is committed; if Redis refuses the job now, the reconciler
    // gives the delivery its job after DELIVERY_STUCK_AFTER_SECONDS.
    await this.deliveries.enqueue([deliveryId], 'confirmation').catch((error: Error) => this.logger.warn(`confirmation ${deliveryId} not enqueued, the reconciler will: ${error.message}`));
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
    return topicRows(topics, await this.repository.knownTopics(topics));
  }

  private async load(id: string): Promise<SubscriberRecord> {
    const subscriber = await this.repository.findSubscriber(id);
    if (!subscriber) throw new SubscriberGoneError();
    return subscriber;
  }
}
