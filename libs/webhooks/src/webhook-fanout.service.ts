import { Injectable, Logger } from '@nestjs/common';
import { DeliveryQueue } from '@pledgewatch/deliveries';
import { findTopicEvent } from '@pledgewatch/events';
import { PrismaService } from '@pledgewatch/database';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';

export type WebhookFanoutOutcome =
  | { status: 'event_gone' }
  | { status: 'not_notified'; reason: 'notify_false' }
  | { status: 'fanned_out'; created: number; enqueued: number };

/**
 * Stage one for webhooks, beside the alerts' (same event job, same topic rule): every matching
 * endpoint gets one `webhook` delivery row, then one `webhook.send` job each. Every event type goes
 * out (feeds and webhooks carry all of them; an endpoint may narrow them with `eventTypes`), except
 * quiet corrections (`notify: false`), which notify nobody. Re-running creates nothing twice and
 * re-enqueues what an interrupted run left queued.
 */
@Injectable()
export class WebhookFanoutService {
  private readonly logger = new Logger(WebhookFanoutService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  async fanOut(eventId: string): Promise<WebhookFanoutOutcome> {
    const event = await findTopicEvent(this.prisma, eventId);
    if (!event) return { status: 'event_gone' };
    if (!event.notify) return { status: 'not_notified', reason: 'notify_false' };
    const { created, pending } = await this.endpoints.insertDeliveries(event);
    const enqueued = await this.queue.enqueueFanout(
      'webhook',
      created,
      pending.map((id) => ({ id })),
    );
    if (created.length || pending.length) this.logger.log(`event ${eventId}: ${created.length} webhook deliveries created, ${enqueued} send jobs enqueued`);
    return { status: 'fanned_out', created: created.length, enqueued };
  }
}
