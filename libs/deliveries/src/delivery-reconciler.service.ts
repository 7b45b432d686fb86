import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryQueue } from './delivery-queue';

const PAGE = 500;

export interface ReconcileResult {
  /** Queued deliveries older than the threshold that were looked at. */
  examined: number;
  /** Of those, the ones with no live job, given one again. */
  requeued: number;
}

/**
 * Postgres is the source of truth, Redis carries work only (docs/architecture.md): a delivery that has sat in
 * `queued` past DELIVERY_STUCK_AFTER_SECONDS without a live send job (a worker died between
 * creating it and enqueueing, or Redis lost everything) gets its job again. The row's `sent`
 * status keeps the email from going out twice.
 */
@Injectable()
export class DeliveryReconciler {
  private readonly logger = new Logger(DeliveryReconciler.name);

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly queue: DeliveryQueue,
    private readonly config: AppConfig,
  ) {}

  async reconcile(stuckAfterSeconds = this.config.deliveryStuckAfterSeconds): Promise<ReconcileResult> {
    let after: { updatedAt: Date; id: string } | null = null;
    let examined = 0;
    let requeued = 0;
    for (;;) {
      const page = await this.deliveries.findStuck(stuckAfterSeconds, after, PAGE);
      if (page.length === 0) break;
      examined += page.length;
      requeued += await this.queue.requeueUnlessLive(page);
      if (page.length < PAGE) break;
      after = page[page.length - 1];
    }
    if (requeued > 0) this.logger.warn(`re-enqueued ${requeued} stuck deliveries (of ${examined} queued past ${stuckAfterSeconds} s)`);
    return { examined, requeued };
  }
}
