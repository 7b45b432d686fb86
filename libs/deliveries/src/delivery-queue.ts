import { Injectable } from '@nestjs/common';
import type { DeliveryKind } from '@pledgewatch/database';
import { JOBS, JobQueues, queueOf } from '@pledgewatch/queue';

/** States in which a send job will still run (or is running): its delivery needs nothing more. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** addBulk pages: one Redis round trip each, bounded so a huge fan-out never builds one giant command. */
const BULK = 1_000;

/** The send jobs: `email.send` for a subscriber's delivery, `webhook.send` (its own retry policy) for an endpoint's. */
export type SendJob = typeof JOBS.emailSend | typeof JOBS.webhookSend;

export const sendJobOf = (kind: DeliveryKind): SendJob => (kind === 'webhook' ? JOBS.webhookSend : JOBS.emailSend);

/** The send queues as deliveries see them: job id = delivery id, always. */
@Injectable()
export class DeliveryQueue {
  constructor(private readonly jobs: JobQueues) {}

  /** One send job per delivery; a delivery that already has a job keeps it (same job id). */
  async enqueue(deliveryIds: string[], job: SendJob = JOBS.emailSend): Promise<void> {
    for (let i = 0; i < deliveryIds.length; i += BULK) {
      const page = deliveryIds.slice(i, i + BULK);
      await this.jobs.addBulk(
        job,
        page.map((deliveryId) => ({ payload: { deliveryId }, jobId: deliveryId })),
      );
    }
  }

  /**
   * Gives a delivery a fresh send job unless one is still live. A finished job (completed, or
   * failed for good) is removed first: while it exists, an add with its id would be a no-op.
   * Answers whether a job was added.
   */
  async requeue(deliveryId: string, job: SendJob = JOBS.emailSend): Promise<boolean> {
    return (await this.requeueUnlessLive([deliveryId], job)) === 1;
  }

  /** requeue() for many; answers how many got a job. */
  async requeueUnlessLive(deliveryIds: string[], job: SendJob = JOBS.emailSend): Promise<number> {
    const queue = this.jobs.queue(queueOf(job));
    const states = await Promise.all(deliveryIds.map(async (id) => ({ id, state: await queue.getJobState(id) })));
    const dead = states.filter(({ state }) => !LIVE_STATES.has(state));
    await Promise.all(dead.filter(({ state }) => state !== 'unknown').map(({ id }) => queue.remove(id)));
    await this.enqueue(dead.map(({ id }) => id), job);
    return dead.length;
  }
}
