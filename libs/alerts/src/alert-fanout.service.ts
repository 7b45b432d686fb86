import { Injectable, Logger } from '@nestjs/common';
import { DeliveryQueue } from '@pledgewatch/deliveries';
import { INSTANT_ALERT_TYPES } from '@pledgewatch/events';
import { AlertDeliveriesRepository } from './alert-deliveries.repository';

export type FanoutOutcome =
  | { status: 'event_gone' }
  | { status: 'not_notified'; reason: 'notify_false' | 'digest_only_type' }
  | { status: 'fanned_out'; created: number; enqueued: number };

/** Subscribers per keyset batch: one INSERT … SELECT and one addBulk each, memory flat whatever the audience. */
export const FANOUT_BATCH_SIZE = 5_000;

/**
 * Stage one of two for alerts (sending is the one delivery path's): resolve who an event touches and create their
 * delivery rows, set-based, then send jobs for them (batches: DeliveryQueue). Re-running it for
 * the same event creates nothing twice (unique subscriber × event) and re-enqueues what an
 * interrupted run left queued without a live job. When it is done (every delivery created and enqueued, or nobody to tell) it clears the
 * event's `fanoutPending`; until then the outbox relay re-dispatches an event whose job the queue lost.
 */
@Injectable()
export class AlertFanoutService {
  private readonly logger = new Logger(AlertFanoutService.name);

  constructor(
    private readonly deliveries: AlertDeliveriesRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  async fanOut(eventId: string, batchSize = FANOUT_BATCH_SIZE): Promise<FanoutOutcome> {
    const event = await this.deliveries.findFanoutEvent(eventId);
    if (!event) return { status: 'event_gone' };
    if (!event.notify || !INSTANT_ALERT_TYPES.includes(event.type)) {
      await this.deliveries.finishFanout(eventId);
      return { status: 'not_notified', reason: event.notify ? 'digest_only_type' : 'notify_false' };
    }

    let after: string | null = null;
    let created = 0;
    let enqueued = 0;
    for (;;) {
      const batch = await this.deliveries.insertAlertBatch(event, after, batchSize);
      enqueued += await this.queue.enqueueFanout('alert', batch.created, batch.pending);
      created += batch.created.length;
      if (batch.size < batchSize || !batch.lastSubscriberId) break;
      after = batch.lastSubscriberId;
    }
    await this.deliveries.finishFanout(eventId);
    this.logger.log(`event ${eventId}: ${created} alert deliveries created, ${enqueued} send jobs enqueued`);
    return { status: 'fanned_out', created, enqueued };
  }
}
