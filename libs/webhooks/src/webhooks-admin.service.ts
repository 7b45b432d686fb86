import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { DeliveriesAdminService, DeliveryView, generateWebhookSecret } from '@pledgewatch/deliveries';
import { assertOutboundDestination, OutboundUrlError } from '@pledgewatch/outbound';
import { eventTypeName } from '@pledgewatch/events';
import { TopicRefs, TopicResolver } from '@pledgewatch/subscriptions';
import { WebhookDeliveryNotFoundError, webhookUrlProblem, WebhookNotFoundError } from './webhook-errors';
import { EndpointRow, LoggedDeliveryRow, WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { parseCreateWebhook, parseUpdateWebhook } from './webhook-input';

function topicsOf(row: EndpointRow): TopicRefs {
  const refs: TopicRefs = { countries: [], sectors: [], intersections: [], workstreams: [] };
  for (const topic of row.topics) {
    if (topic.workstream) refs.workstreams.push(topic.workstream.slug);
    else if (topic.countryCode && topic.sectorSlug) refs.intersections.push({ country: topic.countryCode, sector: topic.sectorSlug });
    else if (topic.countryCode) refs.countries.push(topic.countryCode);
    else if (topic.sectorSlug) refs.sectors.push(topic.sectorSlug);
  }
  return refs;
}

export function toWebhookView(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    topics: topicsOf(row),
    eventTypes: row.eventTypes.map(eventTypeName),
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type WebhookView = ReturnType<typeof toWebhookView>;

function toLoggedDelivery(row: LoggedDeliveryRow) {
  return {
    id: row.id,
    eventId: row.eventId,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    log: row.webhookAttempts.map((a) => ({
      attempt: a.attempt,
      at: a.at.toISOString(),
      statusCode: a.statusCode,
      durationMs: a.durationMs,
      error: a.error,
      responseBody: a.responseBody,
      nextAttemptAt: a.nextAttemptAt?.toISOString() ?? null,
    })),
  };
}

/**
 * The admin's commands on webhook endpoints. The secret is answered only by `create` and
 * `rotateSecret`; every other answer leaves it out. A URL is checked by the SSRF guard here, at
 * registration, and again by WebhookChannel before each POST.
 */
@Injectable()
export class WebhooksAdminService {
  constructor(
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly topics: TopicResolver,
    private readonly deliveries: DeliveriesAdminService,
    private readonly config: AppConfig,
  ) {}

  async create(body: unknown): Promise<WebhookView & { secret: string }> {
    const command = parseCreateWebhook(body);
    const url = await this.checkUrl(command.url);
    const topics = await this.topics.resolve(command.topics);
    const secret = generateWebhookSecret();
    const row = await this.endpoints.create({ url, description: command.description, secret, eventTypes: command.eventTypes, topics });
    return { ...toWebhookView(row), secret };
  }

  async list(): Promise<{ items: WebhookView[] }> {
    return { items: (await this.endpoints.list()).map(toWebhookView) };
  }

  /** The endpoint with its latest deliveries and each one's attempts. */
  async get(id: string): Promise<WebhookView & { deliveries: ReturnType<typeof toLoggedDelivery>[] }> {
    const row = await this.endpoints.findOne(id);
    if (!row) throw new WebhookNotFoundError(id);
    const log = await this.endpoints.deliveryLog(row.id);
    return { ...toWebhookView(row), deliveries: log.map(toLoggedDelivery) };
  }

  /** Enable (clears the reason) or disable (with the admin's reason), or change the description. */
  async update(id: string, body: unknown): Promise<WebhookView> {
    const command = parseUpdateWebhook(body);
    const row = await this.endpoints.update(id, {
      ...(command.enabled === undefined ? {} : { enabled: command.enabled, disabledReason: command.enabled ? null : (command.reason ?? 'disabled by an admin') }),
      ...(command.description === undefined ? {} : { description: command.description }),
    });
    if (!row) throw new WebhookNotFoundError(id);
    return toWebhookView(row);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.endpoints.delete(id))) throw new WebhookNotFoundError(id);
  }

  /** A new secret at once: from now on every attempt, retries of older deliveries too, is signed with it. */
  async rotateSecret(id: string): Promise<WebhookView & { secret: string }> {
    const secret = generateWebhookSecret();
    const row = await this.endpoints.update(id, { secret });
    if (!row) throw new WebhookNotFoundError(id);
    return { ...toWebhookView(row), secret };
  }

  /** A failed (or suppressed) webhook delivery back to `queued` with a fresh send job and a fresh retry span. */
  async retryDelivery(id: string): Promise<DeliveryView> {
    if (!(await this.endpoints.findDelivery(id))) throw new WebhookDeliveryNotFoundError(id);
    return this.deliveries.retry(id);
  }

  private async checkUrl(raw: string): Promise<string> {
    try {
      return (await assertOutboundDestination(raw, this.config.outbound)).href;
    } catch (error) {
      if (error instanceof OutboundUrlError) throw webhookUrlProblem(error);
      throw error;
    }
  }
}
