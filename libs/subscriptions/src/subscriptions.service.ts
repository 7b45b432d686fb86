import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { DeliveryQueue } from '@pledgewatch/deliveries';
import { FieldError, UnprocessableError } from '@pledgewatch/problems';
import { isSingleUseTokenShaped, LinkPurpose, SubscriberLinks } from '@pledgewatch/subscriber-links';
import { SubscribeRateLimiter } from './subscribe-rate-limiter';
import { LinkTokenError, SubscriberGoneError } from './subscription-errors';
import { parseSubscribeRequest, PreferencesUpdate, requireTopics, TopicRefs } from './subscription-input';
import { ManageCatalog } from './subscription-pages';
import { SubscriberRecord, TopicRecord, topicRefsOf } from './subscription-view';
import { KnownTopics, SubscriptionsRepository, TokenPurpose, TopicRow } from './subscriptions.repository';

/** What the manage page's JSON shows beyond preferences and topics: every other thing held about the person. */
export interface HeldData {
  id: string;
  createdAt: string;
  updatedAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  confirmationLinks: { purpose: string; createdAt: string; expiresAt: string; usedAt: string | null; pendingChange: unknown }[];
  deliveries: { kind: string; status: string; attempts: number; createdAt: string; sentAt: string | null; lastError: string | null; digestWeek: string | null; eventId: string | null }[];
}

export type ConfirmOutcome = 'confirmed' | 'changed' | 'already_active';

function linkTokenError(outcome: 'invalid' | 'used' | 'expired'): LinkTokenError {
  return { invalid: () => LinkTokenError.invalid(), used: () => LinkTokenError.used(), expired: () => LinkTokenError.expired() }[outcome]();
}

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

  /**
   * What a confirm / apply-change link would do, changing nothing: mail scanners and link
   * previews open every link in an email, so only the page's POST (confirm) redeems it.
   */
  async confirmation(token: string | undefined): Promise<{ action: TokenPurpose; subscriber: SubscriberRecord; topics: TopicRecord[] }> {
    if (!token || !isSingleUseTokenShaped(token)) throw LinkTokenError.invalid();
    const peek = await this.repository.peekToken(token);
    if (peek.outcome !== 'valid') throw linkTokenError(peek.outcome);
    const subscriber = await this.load(peek.subscriberId);
    // The topics the button leads to: a pending subscription's own, or the requested change's.
    const topics = peek.purpose === 'apply_change' && peek.change ? await this.repository.describeRows(peek.change.topics) : subscriber.topics;
    return { action: peek.purpose, subscriber, topics };
  }

  /** Follows a confirm / apply-change link by POST: once. */
  async confirm(token: string | undefined): Promise<{ outcome: ConfirmOutcome; subscriber: SubscriberRecord }> {
    if (!token || !isSingleUseTokenShaped(token)) throw LinkTokenError.invalid();
    const redemption = await this.repository.redeemToken(token);
    switch (redemption.outcome) {
      case 'invalid':
      case 'used':
      case 'expired':
        throw linkTokenError(redemption.outcome);
    }
    return { outcome: redemption.outcome, subscriber: await this.load(redemption.subscriberId) };
  }

  /**
   * The subscriber an unsubscribe or manage link names: 400 for a forged or revoked token (signed
   * for an older link generation), 410 once LINK_TTL_DAYS have passed, 404 when erased.
   */
  async subscriberFor(purpose: LinkPurpose, token: string | undefined): Promise<SubscriberRecord> {
    const id = token ? this.links.claimedSubscriber(token) : null;
    if (!id) throw LinkTokenError.invalid();
    const subscriber = await this.load(id);
    const verdict = this.links.verdict(purpose, token!, subscriber);
    if (verdict !== 'valid') throw linkTokenError(verdict);
    return subscriber;
  }

  /** One-click unsubscribe: idempotent. */
  async unsubscribe(token: string | undefined): Promise<SubscriberRecord> {
    const subscriber = await this.subscriberFor('unsubscribe', token);
    await this.repository.unsubscribe(subscriber.id);
    return this.load(subscriber.id);
  }

  /** "Delete my data" from a manage link: the subscriber and everything held about them (docs/privacy.md). */
  async erase(token: string | undefined): Promise<SubscriberRecord> {
    const subscriber = await this.subscriberFor('manage', token);
    await this.repository.erase(subscriber.id);
    return subscriber;
  }

  /** Everything held about the subscriber a manage link names, for its JSON: the record, its tokens and deliveries. */
  async heldAbout(subscriber: SubscriberRecord): Promise<HeldData> {
    const held = await this.repository.heldAbout(subscriber.id);
    if (!held) throw new SubscriberGoneError();
    return {
      id: held.id,
      createdAt: held.createdAt.toISOString(),
      updatedAt: held.updatedAt.toISOString(),
      confirmedAt: held.confirmedAt?.toISOString() ?? null,
      unsubscribedAt: held.unsubscribedAt?.toISOString() ?? null,
      // Hashes only: the tokens themselves were never stored.
      confirmationLinks: held.tokens.map((t) => ({ purpose: t.purpose, createdAt: t.createdAt.toISOString(), expiresAt: t.expiresAt.toISOString(), usedAt: t.usedAt?.toISOString() ?? null, pendingChange: t.payload ?? null })),
      deliveries: held.deliveries.map((d) => ({
        kind: d.kind,
        status: d.status,
        attempts: d.attempts,
        createdAt: d.createdAt.toISOString(),
        sentAt: d.sentAt?.toISOString() ?? null,
        lastError: d.lastError,
        digestWeek: d.digestWeek?.toISOString().slice(0, 10) ?? null,
        eventId: d.eventId,
      })),
    };
  }

  catalog(): Promise<ManageCatalog> {
    return this.repository.catalog();
  }

  /**
   * Saves a change from the manage page, or leaves. It never changes the subscription's state
   * otherwise: a manage link can be forwarded, kept in an old email or opened by someone else, so
   * an address that left comes back only by subscribing again (a fresh double opt-in), and a
   * pending one is confirmed only by its confirmation link.
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
    await this.repository.updatePreferences(subscriber.id, update.preferences, rows);
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
