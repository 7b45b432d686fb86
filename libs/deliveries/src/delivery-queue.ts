import { Injectable } from '@nestjs/common';
import type { DeliveryKind } from '@pledgewatch/database';
import { emailPriority, JOBS, JobQueues, queueOf } from '@pledgewatch/queue';

/** States in which a send job will still run (or is running): its delivery needs nothing more. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** addBulk pages: one Redis round trip each, bounded so a huge fan-out never builds one giant command. */
const BULK = 1_000;

/** The send jobs: `email.send` for a subscriber's delivery, `webhook.send` (its own retry policy) for an endpoint's. */
export type SendJob = typeof JOBS.emailSend | typeof JOBS.webhookSend;

export const sendJobOf = (kind: DeliveryKind): SendJob => (kind === 'webhook' ? JOBS.webhookSend : JOBS.emailSend);

/**
 * The send queues as deliveries see them: job id = delivery id, always. The kind of a delivery
 * picks its job (sendJobOf) and, for email, its priority (confirmations before alerts before
 * digests: EMAIL_PRIORITY), so a backlog under MAIL_RATE_PER_SECOND drains in that order.
 */
@Injectable()
export class DeliveryQueue {
  constructor(private readonly jobs: JobQueues) {}

  /** One send job per delivery, all of one kind; a delivery that already has a job keeps it (same job id). */
  async enqueue(deliveryIds: string[], kind: DeliveryKind): Promise<void> {
    const job = sendJobOf(kind);
    const priority = job === JOBS.emailSend ? emailPriority(kind) : undefined;
    for (let i = 0; i < deliveryIds.length; i += BULK) {
      const page = deliveryIds.slice(i, i + BULK);
      await this.jobs.addBulk(
        job,
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
    return (await this.requeueUnlessLive([{ id: deliveryId, kind }])) === 1;
  }

  /** requeue() for many, of any kinds; answers how many got a job. */
  async requeueUnlessLive(deliveries: { id: string; kind: DeliveryKind }[]): Promise<number> {
    const states = await Promise.all(
      deliveries.map(async (delivery) => {
        const queue = this.jobs.queue(queueOf(sendJobOf(delivery.kind)));
        return { ...delivery, queue, state: await queue.getJobState(delivery.id) };
      }),
    );
    const dead = states.filter(({ state }) => !LIVE_STATES.has(state));
    await Promise.all(dead.filter(({ state }) => state !== 'unknown').map(({ id, queue }) => queue.remove(id)));
    for (const kind of new Set(dead.map((d) => d.kind))) {
      await this.enqueue(dead.filter((d) => d.kind === kind).map(({ id }) => id), kind);
    }
    return dead.length;
  }
}
