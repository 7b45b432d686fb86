import { Injectable } from '@nestjs/common';
import type { DeliveryKind } from '@pledgewatch/database';
import { emailPriority, JOBS, JobQueues, QUEUES } from '@pledgewatch/queue';

/** States in which a send job will still run (or is running): its delivery needs nothing more. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** addBulk pages: one Redis round trip each, bounded so a huge fan-out never builds one giant command. */
const BULK = 1_000;

/** The `email.send` queue as deliveries see it: job id = delivery id, always. */
@Injectable()
export class DeliveryQueue {
  constructor(private readonly jobs: JobQueues) {}

  /**
   * One send job per delivery, all of one kind, at that kind's priority (confirmations before
   * alerts before digests: EMAIL_PRIORITY); a delivery that already has a job keeps it (same job id).
   */
  async enqueue(deliveryIds: string[], kind: DeliveryKind): Promise<void> {
    const priority = emailPriority(kind);
    for (let i = 0; i < deliveryIds.length; i += BULK) {
      const page = deliveryIds.slice(i, i + BULK);
      await this.jobs.addBulk(
        JOBS.emailSend,
        page.map((deliveryId) => ({ payload: { deliveryId }, jobId: deliveryId, priority })),
      );
    }
  }

  /**
   * Gives a delivery a fresh send job unless one is still live. A finished job (completed, or
   * failed for good) is removed first: while it exists, an add with its id would be a no-op.
   * Answers whether a job was added.
   */
  async requeue(deliveryId: string, kind: DeliveryKind): Promise<boolean> {
    const queue = this.jobs.queue(QUEUES.email);
    const state = await queue.getJobState(deliveryId);
    if (LIVE_STATES.has(state)) return false;
    if (state !== 'unknown') await queue.remove(deliveryId);
    await this.enqueue([deliveryId], kind);
    return true;
  }

  /** requeue() for many; answers how many got a job. */
  async requeueUnlessLive(deliveries: { id: string; kind: DeliveryKind }[]): Promise<number> {
    const queue = this.jobs.queue(QUEUES.email);
    const states = await Promise.all(deliveries.map(async (delivery) => ({ ...delivery, state: await queue.getJobState(delivery.id) })));
    const dead = states.filter(({ state }) => !LIVE_STATES.has(state));
    await Promise.all(dead.filter(({ state }) => state !== 'unknown').map(({ id }) => queue.remove(id)));
    for (const kind of new Set(dead.map((d) => d.kind))) {
      await this.enqueue(dead.filter((d) => d.kind === kind).map(({ id }) => id), kind);
    }
    return dead.length;
  }
}
