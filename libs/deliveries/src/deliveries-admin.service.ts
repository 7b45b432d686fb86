import { Injectable } from '@nestjs/common';
import { Page } from '@pledgewatch/pagination';
import { ConflictError, NotFoundError } from '@pledgewatch/problems';
import { DeliveriesRepository, DeliveryFilter, DeliveryRow } from './deliveries.repository';
import { DeliveryQueue } from './delivery-queue';
import { MailSendRate } from './mail-send-rate';

/** `nextSendAt`: for a queued delivery, the earliest a queued message can go (MailSendRate); null otherwise. */
export function toDeliveryView(row: DeliveryRow, nextSendAt: Date | null = null) {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    throttledCount: row.throttledCount,
    nextSendAt: row.status === 'queued' && nextSendAt ? nextSendAt.toISOString() : null,
    lastError: row.lastError,
    messageId: row.messageId,
    subscriber: row.subscriber ? { id: row.subscriber.id, email: row.subscriber.email } : null,
    webhookEndpoint: row.webhookEndpoint ? { id: row.webhookEndpoint.id, url: row.webhookEndpoint.url } : null,
    eventId: row.eventId,
    digestWeek: row.digestWeek ? row.digestWeek.toISOString().slice(0, 10) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}
export type DeliveryView = ReturnType<typeof toDeliveryView>;

export class DeliveryAlreadySentError extends ConflictError {
  constructor(id: string) {
    super('delivery_already_sent', `Delivery "${id}" was already sent; sending it again would duplicate it.`);
  }
}

/** What admins see of outgoing deliveries, and the one thing they can do about a failure: retry it. */
@Injectable()
export class DeliveriesAdminService {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly queue: DeliveryQueue,
    private readonly rate: MailSendRate,
  ) {}

  /** Queued ones carry `nextSendAt`: under MAIL_RATE_PER_SECOND or a throttling pause, when the next one can go. */
  async list(filter: DeliveryFilter): Promise<Page<DeliveryView>> {
    const page = await this.deliveries.list(filter);
    const nextSendAt = page.items.some((row) => row.status === 'queued') ? await this.rate.nextSendAt().catch(() => null) : null;
    return { items: page.items.map((row) => toDeliveryView(row, nextSendAt)), nextCursor: page.nextCursor };
  }

  /**
   * A failed or suppressed delivery goes back to `queued` (its attempts are kept: they are its
   * history) and gets a send job again. A queued one only gets its job back if it has none.
   */
  async retry(id: string): Promise<DeliveryView> {
    const row = await this.deliveries.requeueUnlessSent(id);
    if (row === null) throw new NotFoundError('Delivery', id);
    if (row === 'sent') throw new DeliveryAlreadySentError(id);
    await this.queue.requeue({ id, kind: row.kind, sendJobId: row.sendJobId });
    return toDeliveryView(row);
  }
}
