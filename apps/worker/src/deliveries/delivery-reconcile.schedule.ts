import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DeliveryReconciler } from '@pledgewatch/deliveries';

/** How often the worker looks for deliveries Redis lost. */
export const RECONCILE_EVERY_MS = 30_000;

/**
 * Runs the delivery reconciler every 30 s in each worker. Replicas running it at the same moment
 * are harmless: a delivery gets its job by its own id (a second add is a no-op), and its `sent`
 * status stops a second send.
 */
@Injectable()
export class DeliveryReconcileSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryReconcileSchedule.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly reconciler: DeliveryReconciler) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), RECONCILE_EVERY_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return; // the previous run is still going
    this.running = this.reconciler
      .reconcile()
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn(`reconcile failed: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }
}
