import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@pledgewatch/database';
import { eventTypeFromName, EventTypeName, topicTouchesEvent, TopicEvent } from '@pledgewatch/events';
import { isUuid } from '@pledgewatch/problems';
import type { TopicRow } from '@pledgewatch/subscriptions';


/** Deliveries shown per endpoint in its log, newest first. */
export const LOG_DELIVERIES = 50;

const ENDPOINT_INCLUDE = {
  topics: { select: { countryCode: true, sectorSlug: true, workstream: { select: { slug: true } } } },
} satisfies Prisma.WebhookEndpointInclude;
export type EndpointRow = Prisma.WebhookEndpointGetPayload<{ include: typeof ENDPOINT_INCLUDE }>;

const LOG_INCLUDE = { webhookAttempts: { orderBy: [{ at: 'asc' }, { attempt: 'asc' }] } } satisfies Prisma.DeliveryInclude;
export type LoggedDeliveryRow = Prisma.DeliveryGetPayload<{ include: typeof LOG_INCLUDE }>;

export interface NewEndpoint {
  url: string;
  description: string;
  secret: string;
  eventTypes: EventTypeName[];
  topics: TopicRow[];
}

/** Webhook endpoints, their topics and delivery log; and the fan-out's set-based insert of their deliveries. */
@Injectable()
export class WebhookEndpointsRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(endpoint: NewEndpoint): Promise<EndpointRow> {
    return this.prisma.webhookEndpoint.create({
      data: {
        url: endpoint.url,
        description: endpoint.description,
        secret: endpoint.secret,
        eventTypes: endpoint.eventTypes.map(eventTypeFromName),
        topics: { create: endpoint.topics },
      },
      include: ENDPOINT_INCLUDE,
    });
  }

  list(): Promise<EndpointRow[]> {
    return this.prisma.webhookEndpoint.findMany({ include: ENDPOINT_INCLUDE, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  }

  findOne(id: string): Promise<EndpointRow | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.webhookEndpoint.findUnique({ where: { id }, include: ENDPOINT_INCLUDE });
  }

  /** What the composer needs: where, with which secret, and whether it may still be sent to. */
  findForSending(id: string) {
    return this.prisma.webhookEndpoint.findUnique({ where: { id }, select: { url: true, secret: true, enabled: true, disabledReason: true } });
  }

  /** Answers the updated row, or null when there is no such endpoint. */
  async update(id: string, data: { enabled?: boolean; disabledReason?: string | null; description?: string; secret?: string }): Promise<EndpointRow | null> {
    if (!isUuid(id)) return null;
    const [updated] = await this.prisma.webhookEndpoint.updateManyAndReturn({ where: { id }, data, select: { id: true } });
    return updated ? this.findOne(id) : null;
  }

  /** Deletes the endpoint with its topics, deliveries and log (cascade). Answers whether it existed. */
  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const { count } = await this.prisma.webhookEndpoint.deleteMany({ where: { id } });
    return count === 1;
  }

  /** The endpoint's latest deliveries, each with its attempts. */
  deliveryLog(endpointId: string, limit = LOG_DELIVERIES): Promise<LoggedDeliveryRow[]> {
    return this.prisma.delivery.findMany({
      where: { webhookEndpointId: endpointId },
      include: LOG_INCLUDE,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  /** Null unless `id` is a webhook delivery. */
  async findDelivery(id: string): Promise<{ id: string; webhookEndpointId: string } | null> {
    if (!isUuid(id)) return null;
    const row = await this.prisma.delivery.findUnique({ where: { id }, select: { id: true, kind: true, webhookEndpointId: true } });
    return row?.kind === 'webhook' && row.webhookEndpointId ? { id: row.id, webhookEndpointId: row.webhookEndpointId } : null;
  }

  /** The delivery's endpoint stops receiving (it failed for the whole retry span); answers its id. */
  async disableForDelivery(deliveryId: string, reason: string): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "WebhookEndpoint" w
         SET enabled = false, "disabledReason" = ${reason.slice(0, 1000)}, "updatedAt" = (now() AT TIME ZONE 'UTC')
        FROM "Delivery" d
       WHERE d.id = ${deliveryId}::uuid AND w.id = d."webhookEndpointId" AND w.enabled
      RETURNING w.id::text AS id`;
    return rows[0]?.id ?? null;
  }

  /**
   * One statement: every enabled endpoint with a topic touching the event (the same rule as the
   * subscribers' alerts) and, if it chose event types, this one among them, gets one `webhook`
   * delivery — one, however many of its topics match (DISTINCT), and never twice for the same
   * event (unique endpoint × event). Also answers the deliveries an interrupted run left queued.
   */
  async insertDeliveries(event: TopicEvent): Promise<{ created: string[]; pending: string[] }> {
    const [row] = await this.prisma.$queryRaw<{ created: string[]; pending: string[] }[]>`
      WITH matched AS (
        SELECT DISTINCT t."endpointId" AS id
          FROM "WebhookTopic" t
          JOIN "WebhookEndpoint" w ON w.id = t."endpointId"
         WHERE w.enabled
           AND (COALESCE(cardinality(w."eventTypes"), 0) = 0 OR ${event.type}::"EventType" = ANY(w."eventTypes"))
           AND ${topicTouchesEvent('t', event)}
      ), inserted AS (
        INSERT INTO "Delivery" (id, kind, "webhookEndpointId", "eventId", status, attempts, "createdAt", "updatedAt")
        SELECT gen_random_uuid(), 'webhook'::"DeliveryKind", m.id, ${event.id}::uuid, 'queued'::"DeliveryStatus", 0, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
          FROM matched m
        ON CONFLICT ("webhookEndpointId", "eventId") DO NOTHING
        RETURNING id
      )
      SELECT COALESCE((SELECT array_agg(i.id::text) FROM inserted i), '{}') AS created,
             COALESCE((SELECT array_agg(d.id::text)
                         FROM "Delivery" d JOIN matched m ON m.id = d."webhookEndpointId"
                        WHERE d."eventId" = ${event.id}::uuid AND d.status = 'queued'::"DeliveryStatus"), '{}') AS pending`;
    return row;
  }

  /** The event as a webhook tells it: with its milestone, workstream, countries and sectors. */
  findEventForPayload(eventId: string) {
    return this.prisma.event.findUnique({
      where: { id: eventId },
      include: {
        milestone: { select: { id: true, title: true, dueDate: true, dateBasis: true, status: true, evidenceUrl: true } },
        workstream: {
          select: {
            id: true,
            slug: true,
            title: true,
            health: true,
            healthReason: true,
            stage: true,
            countries: { select: { country: { select: { code: true, name: true } } }, orderBy: { countryCode: 'asc' } },
            sectors: { select: { sector: { select: { slug: true, name: true } } }, orderBy: { sectorSlug: 'asc' } },
          },
        },
      },
    });
  }
}
export type PayloadEventRow = NonNullable<Awaited<ReturnType<WebhookEndpointsRepository['findEventForPayload']>>>;
