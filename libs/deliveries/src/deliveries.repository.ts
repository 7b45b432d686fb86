import { Injectable } from '@nestjs/common';
import { DeliveryKind, DeliveryStatus, Prisma, PrismaService, SubscriberState } from '@pledgewatch/database';
import { CursorCodec, Page, toPage } from '@pledgewatch/pagination';
import { isUuid } from '@pledgewatch/problems';

const CURSOR = new CursorCodec('admin-deliveries');

/** A subscriber's delivery (every kind but `webhook`) with its recipient, as the sender and the email composers need it. */
export interface DeliveryToSend {
  id: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  attempts: number;
  eventId: string | null;
  payload: unknown;
  subscriberId: string;
  email: string;
  state: SubscriberState;
  alerts: boolean;
  digest: boolean;
  /** The generation of the recipient's manage and unsubscribe links (Subscriber.linkEpoch). */
  linkEpoch: number;
  /** Digest deliveries: the local date of the week's digest, `YYYY-MM-DD`. */
  digestWeek: string | null;
  /** The batch job that carries it (Delivery.sendJobId), or null: its own job. */
  sendJobId: string | null;
}

/** A `webhook` delivery: one event to one endpoint (libs/webhooks composes it, WebhookChannel POSTs it). */
export interface WebhookDeliveryToSend {
  id: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  attempts: number;
  eventId: string | null;
  webhookEndpointId: string;
  sendJobId: string | null;
}

/** A row as loaded, before the sender knows its channel: a subscriber's or an endpoint's. */
export type LoadedDelivery =
  | (DeliveryToSend & { webhookEndpointId: null })
  | (WebhookDeliveryToSend & { subscriberId: null });

/** The delivery as its channel takes it, or null when the row lacks that channel's recipient. */
export function deliveryForChannel(row: LoadedDelivery, channel: 'email' | 'webhook'): DeliveryToSend | WebhookDeliveryToSend | null {
  if (channel === 'webhook') return row.webhookEndpointId === null ? null : row;
  return row.subscriberId === null ? null : row;
}

const DELIVERY_INCLUDE = {
  subscriber: { select: { id: true, email: true } },
  webhookEndpoint: { select: { id: true, url: true } },
} satisfies Prisma.DeliveryInclude;
export type DeliveryRow = Prisma.DeliveryGetPayload<{ include: typeof DELIVERY_INCLUDE }>;

export interface DeliveryFilter {
  status?: DeliveryStatus[];
  kind?: DeliveryKind[];
  limit: number;
  cursor?: string;
}

/**
 * Delivery rows after their creation: the only code that moves a delivery's status (queued → sent
 * / failed / suppressed, and back to queued for a retry). Features create their rows themselves,
 * set-based and in their own transactions (alert fan-out, digest runs, the subscribe request).
 * Timestamps are `timestamp(3)` holding UTC (Prisma's mapping), hence `now() AT TIME ZONE 'UTC'`:
 * correct whatever the server's TimeZone setting is.
 */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Many deliveries with their recipients in one query (the sender batches its loads). */
  async findManyToSend(deliveryIds: string[]): Promise<LoadedDelivery[]> {
    const ids = deliveryIds.filter(isUuid);
    if (ids.length === 0) return [];
    return this.prisma.$queryRaw<LoadedDelivery[]>`
      SELECT d.id::text AS id, d.kind, d.status, d.attempts, d."eventId"::text AS "eventId", d.payload,
             to_char(d."digestWeek", 'YYYY-MM-DD') AS "digestWeek", d."webhookEndpointId"::text AS "webhookEndpointId", d."sendJobId",
             s.id::text AS "subscriberId", s.email, s.state, s.alerts, s.digest, s."linkEpoch"
        FROM "Delivery" d LEFT JOIN "Subscriber" s ON s.id = d."subscriberId"
       WHERE d.id = ANY(${ids}::uuid[])`;
  }

  /**
   * Names the batch job that will carry each delivery (null: its own job), before that job is
   * enqueued: a row whose carrier never reached the queue is one the reconciler finds without a
   * live job. A delivery already sent keeps what it had.
   */
  async assignCarriers(carriers: { id: string; sendJobId: string | null }[]): Promise<void> {
    if (carriers.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE "Delivery" d SET "sendJobId" = v."sendJobId"
        FROM unnest(${carriers.map((c) => c.id)}::uuid[], ${carriers.map((c) => c.sendJobId)}::text[]) AS v(id, "sendJobId")
       WHERE d.id = v.id AND d.status = 'queued'::"DeliveryStatus"`;
  }

  /**
   * A batch gives these deliveries up to jobs of their own: only those it still carries and that
   * are still queued, answered with their attempts so far (their own job gets the rest).
   */
  async releaseFromBatch(batchJobId: string, ids: string[]): Promise<{ id: string; kind: DeliveryKind; attempts: number }[]> {
    if (ids.length === 0) return [];
    return this.prisma.$queryRaw<{ id: string; kind: DeliveryKind; attempts: number }[]>`
      UPDATE "Delivery" SET "sendJobId" = NULL
       WHERE id = ANY(${ids}::uuid[]) AND "sendJobId" = ${batchJobId} AND status = 'queued'::"DeliveryStatus"
      RETURNING id::text AS id, kind, attempts`;
  }

  /**
   * Marks deliveries sent, many in one statement (the sender group-commits them); a delivery
   * already sent stays as it was (the first send wins).
   */
  async markManySent(sent: { id: string; messageId: string }[]): Promise<void> {
    if (sent.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE "Delivery" d
         SET status = 'sent'::"DeliveryStatus", "sentAt" = (now() AT TIME ZONE 'UTC'), "messageId" = v."messageId",
             attempts = d.attempts + 1, "lastError" = NULL, "updatedAt" = (now() AT TIME ZONE 'UTC')
        FROM unnest(${sent.map((s) => s.id)}::uuid[], ${sent.map((s) => s.messageId)}::text[]) AS v(id, "messageId")
       WHERE d.id = v.id AND d.status <> 'sent'::"DeliveryStatus"`;
  }

  /** Records a failed attempt; `final` moves the delivery to `failed`, otherwise it stays queued for the retry. */
  async recordFailure(id: string, error: string, final: boolean, messageId: string): Promise<void> {
    const status: DeliveryStatus = final ? 'failed' : 'queued';
    await this.prisma.$executeRaw`
      UPDATE "Delivery"
         SET status = ${status}::"DeliveryStatus", attempts = attempts + 1, "lastError" = ${error.slice(0, 1000)},
             "messageId" = ${messageId}, "updatedAt" = (now() AT TIME ZONE 'UTC')
       WHERE id = ${id}::uuid AND status <> 'sent'::"DeliveryStatus"`;
  }

  /** A queued delivery whose retries ran out after its last failure was recorded (the webhook retry span ended meanwhile). */
  async markFailed(id: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Delivery" SET status = 'failed'::"DeliveryStatus", "updatedAt" = (now() AT TIME ZONE 'UTC')
       WHERE id = ${id}::uuid AND status = 'queued'::"DeliveryStatus"`;
  }

  /**
   * The server throttled this send: counted apart from the attempts (which count real failures
   * toward the six); the delivery stays queued and goes again after the pause.
   */
  async recordThrottled(id: string, error: string, messageId: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Delivery"
         SET "throttledCount" = "throttledCount" + 1, "lastError" = ${error.slice(0, 1000)},
             "messageId" = ${messageId}, "updatedAt" = (now() AT TIME ZONE 'UTC')
       WHERE id = ${id}::uuid AND status <> 'sent'::"DeliveryStatus"`;
  }

  /** Not sent because the subscriber left or turned the kind of email off: not a failure. */
  async markSuppressed(id: string, reason: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Delivery"
         SET status = 'suppressed'::"DeliveryStatus", "lastError" = ${reason}, "updatedAt" = (now() AT TIME ZONE 'UTC')
       WHERE id = ${id}::uuid AND status <> 'sent'::"DeliveryStatus"`;
  }

  /**
   * Deliveries still `queued` whose row has not moved for `olderThanSeconds`, oldest first, in
   * keyset pages; the reconciler asks the queue whether each still has a live job.
   */
  async findStuck(olderThanSeconds: number, after: { updatedAt: Date; id: string } | null, limit: number) {
    const afterAt = after?.updatedAt ?? new Date(0);
    const afterId = after?.id ?? '00000000-0000-0000-0000-000000000000';
    return this.prisma.$queryRaw<{ id: string; kind: DeliveryKind; sendJobId: string | null; updatedAt: Date }[]>`
      SELECT id::text AS id, kind, "sendJobId", "updatedAt"
        FROM "Delivery"
       WHERE status = 'queued'::"DeliveryStatus"
         AND "updatedAt" < (now() AT TIME ZONE 'UTC') - (${olderThanSeconds}::int * interval '1 second')
         AND ("updatedAt", id) > (${afterAt}, ${afterId}::uuid)
       ORDER BY "updatedAt", id
       LIMIT ${limit}`;
  }

  /** Newest first, keyset-paginated on (createdAt, id): a page never shifts as deliveries change status. */
  async list(filter: DeliveryFilter): Promise<Page<DeliveryRow>> {
    const rows = await this.prisma.delivery.findMany({
      where: {
        ...(filter.status ? { status: { in: filter.status } } : {}),
        ...(filter.kind ? { kind: { in: filter.kind } } : {}),
        ...CURSOR.after(filter.cursor, 'createdAt'),
      },
      include: DELIVERY_INCLUDE,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit + 1,
    });
    return toPage(rows, filter.limit, CURSOR, (row) => ({ at: row.createdAt, id: row.id }));
  }

  /**
   * Back to `queued` unless it was sent (attempts kept: they are its history). Answers the row,
   * `'sent'` when it was already sent, or null when there is no such delivery.
   */
  async requeueUnlessSent(id: string): Promise<DeliveryRow | 'sent' | null> {
    if (!isUuid(id)) return null;
    const requeued = await this.prisma.delivery.updateManyAndReturn({
      where: { id, status: { in: ['failed', 'suppressed', 'queued'] } },
      data: { status: 'queued' },
    });
    if (requeued.length === 0) {
      const existing = await this.prisma.delivery.findUnique({ where: { id }, select: { status: true } });
      return existing ? 'sent' : null;
    }
    return this.prisma.delivery.findUniqueOrThrow({ where: { id }, include: DELIVERY_INCLUDE });
  }

  findOne(id: string): Promise<DeliveryRow | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.delivery.findUnique({ where: { id }, include: DELIVERY_INCLUDE });
  }
}
