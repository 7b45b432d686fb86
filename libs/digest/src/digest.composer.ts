import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { Composition, DeliveryComposer, DeliveryToSend, MicroBatcher } from '@pledgewatch/deliveries';
import { followedTopicFeeds } from '@pledgewatch/feeds';
import { MailPlaceholders, MailRenderer, PreparedMail, PreparedMailCache } from '@pledgewatch/mail';
import { SubscriberLinks } from '@pledgewatch/subscriber-links';
import { DigestContent, isEmptyTopics } from './digest-content';
import { DigestContentCache } from './digest-content.cache';
import { DigestContentRepository, DigestRecipient } from './digest-content.repository';
import { digestTemplateData } from './digest-message';

export const DIGEST_NOT_WANTED = 'subscriber left or turned the weekly digest off';
export const DIGEST_NO_TOPICS = 'subscriber follows no topics';

/** The per-recipient headers of every digest (SubscriberLinks.forRecipient). */
const RECIPIENT_HEADERS = ['List-Unsubscribe', 'List-Unsubscribe-Post'];
/**
 * Prepared digests kept per worker: one holds about 170 KB (a 57 KB digest encoded, and rendered for
 * the fallback), so 4 MB holds about 25 (topic set, time zone) pairs. A digest run hands over the
 * deliveries of each zone and slot in topics order (DigestDeliveriesRepository.insertDigestBatch),
 * so those who get the same digest are sent together and only the few being sent at once need to
 * be kept: 20,000 digests of the benchmark's 287 topic sets in 24 zones prepared 342 (measured).
 * A retry sent later may find its digest gone: it costs one render.
 */
const PREPARED_BUDGET_BYTES = 4 * 1024 * 1024;

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  content: DigestContent;
}

/** The as-of instant a digest delivery was created for (its due slot); see DigestDeliveriesRepository. */
export function digestAsOf(payload: unknown): Date | null {
  const asOf = (payload as { asOf?: unknown } | null)?.asOf;
  if (typeof asOf !== 'string') return null;
  const date = new Date(asOf);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Renders weekly digests. The worker registers it as the `digest` composer of the one send path
 * (libs/deliveries: Message-ID, retries and failure handling are the same as alerts'); the admin preview uses it directly.
 *
 * Content is re-computed at send time from the delivery's `payload.asOf` (the slot it fell due in)
 * rather than stored per delivery: 100,000 copies of near-identical content would be gigabytes of
 * rows, and the content cache makes re-computing cost one snapshot per slot and one build per topic
 * set. A retry within the cache's lifetime sends exactly what the first attempt rendered.
 */
@Injectable()
export class DigestComposer implements DeliveryComposer {
  private readonly prepared = new PreparedMailCache(PREPARED_BUDGET_BYTES);
  /** A number per cached content object, for the prepared digests' keys. */
  private readonly contentIds = new WeakMap<DigestContent, number>();
  private nextContentId = 0;
  /** Concurrent sends load their recipients' topics in one query, as the sender loads their rows. */
  private readonly recipientLoads: MicroBatcher<string, DigestRecipient | null>;

  constructor(
    private readonly recipients: DigestContentRepository,
    private readonly cache: DigestContentCache,
    private readonly renderer: MailRenderer,
    private readonly links: SubscriberLinks,
    private readonly config: AppConfig,
  ) {
    this.recipientLoads = new MicroBatcher(
      async (ids) => {
        const found = new Map((await this.recipients.findRecipients(ids)).map((r) => [r.id, r]));
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxSize: 100, maxWaitMs: 5 },
    );
  }

  async compose(delivery: DeliveryToSend): Promise<Composition> {
    if (delivery.state !== 'active' || !delivery.digest) return { suppress: DIGEST_NOT_WANTED };
    const recipient = await this.recipientLoads.submit(delivery.subscriberId);
    if (!recipient) return { suppress: DIGEST_NOT_WANTED };
    if (isEmptyTopics(recipient.topics)) return { suppress: DIGEST_NO_TOPICS };
    const asOf = digestAsOf(delivery.payload) ?? new Date();
    const { headers, manageUrl, unsubscribeUrl } = this.links.forRecipient(recipient);
    return { send: { prepared: await this.prepare(recipient, asOf), values: { manageUrl, unsubscribeUrl }, headers } };
  }

  /**
   * Everyone due in a slot who follows the same topics from the same time zone gets the same
   * digest but for their links: it is rendered and MIME-encoded once (PreparedMail) and each send
   * joins in the recipient's own parts. Keyed by the cached content object itself: when the content
   * cache loads a fresh snapshot, the digests prepared from the old one are no longer found.
   */
  private async prepare(recipient: DigestRecipient, asOf: Date): Promise<PreparedMail> {
    const content = await this.cache.contentFor(asOf, recipient.topics);
    let id = this.contentIds.get(content);
    if (id === undefined) this.contentIds.set(content, (id = this.nextContentId++));
    return this.prepared.get(`${id}|${recipient.timezone}`, () => {
      const placeholders = new MailPlaceholders(['manageUrl', 'unsubscribeUrl'] as const);
      const feeds = followedTopicFeeds(this.config.publicBaseUrl, recipient.topics);
      const data = digestTemplateData(content, recipient.timezone, { publicBaseUrl: this.config.publicBaseUrl, ...placeholders.tokens, feeds });
      return PreparedMail.prepare(this.config.mailFrom, data.subject, this.renderer.render('digest', data), placeholders, RECIPIENT_HEADERS);
    });
  }

  /**
   * One subscriber's digest as of an instant, with its signed links (making them writes nothing);
   * the preview passes a cache of its own (fresh data).
   */
  async render(recipient: DigestRecipient, asOf: Date, cache: DigestContentCache = this.cache): Promise<RenderedDigest> {
    const content = await cache.contentFor(asOf, recipient.topics);
    const { headers, ...links } = this.links.forRecipient(recipient);
    const feeds = followedTopicFeeds(this.config.publicBaseUrl, recipient.topics);
    const data = digestTemplateData(content, recipient.timezone, { publicBaseUrl: this.config.publicBaseUrl, ...links, feeds });
    const { html, text } = this.renderer.render('digest', data);
    return { subject: data.subject, html, text, headers, content };
  }
}
