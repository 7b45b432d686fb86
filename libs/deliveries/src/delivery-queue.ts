import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import type { DeliveryKind } from '@pledgewatch/database';
import { emailPriority, JOB_CATALOG, JOBS, JobQueues, queueOf } from '@pledgewatch/queue';
import { DeliveriesRepository } from './deliveries.repository';

/** States in which a send job will still run (or is running): its delivery needs nothing more. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** addBulk pages: one Redis round trip each, bounded so a huge fan-out never builds one giant command. */
const BULK = 1_000;

/** The send jobs of one delivery: `email.send` for a subscriber's delivery, `webhook.send` (its own retry policy) for an endpoint's. */
export type SendJob = typeof JOBS.emailSend | typeof JOBS.webhookSend;

export const sendJobOf = (kind: DeliveryKind): SendJob => (kind === 'webhook' ? JOBS.webhookSend : JOBS.emailSend);

/** A queued delivery as the queue sees it: its kind picks the job, its carrier (if any) is a batch job. */
export interface QueuedDelivery {
  id: string;
  kind: DeliveryKind;
  /** Delivery.sendJobId: the `email.sendBatch` job carrying it; null or absent: its own job. */
  sendJobId?: string | null;
}

/** A delivery a batch could not send, for a job of its own after `delayMs` (none: the catalog's backoff for the tries it has used). */
export interface HandOff {
  id: string;
  delayMs?: number;
}

/**
 * The send queues as deliveries see them. Every queued delivery has one carrier, the only job that
 * may send it: its own job (job id = delivery id; Delivery.sendJobId null), or an
 * `email.sendBatch` job named in Delivery.sendJobId — written before that job is enqueued, so a
 * delivery whose carrier never reached the queue (or was lost) is one without a live job, and the
 * reconciler gives it another. The kind of a delivery picks its job and, for email, its priority
 * (confirmations before alerts before digests: EMAIL_PRIORITY), so a backlog under
 * MAIL_RATE_PER_SECOND drains in that order.
 */
@Injectable()
export class DeliveryQueue {
  private readonly batchSize: number;

  constructor(
    private readonly jobs: JobQueues,
    private readonly deliveries: DeliveriesRepository,
    config: AppConfig,
  ) {
    this.batchSize = config.emailSendBatchSize;
  }

  /**
   * Send jobs for deliveries of one kind that have none yet. Email, more than one: batches of
   * EMAIL_SEND_BATCH_SIZE, each delivery's row naming its batch first. Otherwise one job each; a
   * delivery that already has its own job keeps it (same job id).
   */
  async enqueue(deliveryIds: string[], kind: DeliveryKind): Promise<void> {
    const job = sendJobOf(kind);
    const priority = job === JOBS.emailSend ? emailPriority(kind) : undefined;
    if (this.batched(kind, deliveryIds.length)) return this.enqueueBatches(deliveryIds, priority);
    for (let i = 0; i < deliveryIds.length; i += BULK) {
      const page = deliveryIds.slice(i, i + BULK);
      await this.jobs.addBulk(
        job,
        page.map((deliveryId) => ({ payload: { deliveryId }, jobId: deliveryId, priority })),
      );
    }
  }

  /**
   * A fan-out's (or a digest run's) page of deliveries of one kind: those it created get jobs, those
   * an interrupted run left queued get one again unless their carrier is still live. Answers how
   * many got a job.
   */
  async enqueueFanout(kind: DeliveryKind, created: string[], pending: Omit<QueuedDelivery, 'kind'>[]): Promise<number> {
    await this.enqueue(created, kind);
    const requeued = pending.length ? await this.requeueUnlessLive(pending.map((d) => ({ ...d, kind }))) : 0;
    return created.length + requeued;
  }

  /**
   * Gives a delivery a fresh send job unless its carrier is still live. A finished job of its own
   * (completed, or failed for good) is removed first: while it exists, an add with its id would be
   * a no-op. Answers whether a job was added.
   */
  async requeue(delivery: QueuedDelivery): Promise<boolean> {
    return (await this.requeueUnlessLive([delivery])) === 1;
  }

  /** requeue() for many, of any kinds; answers how many got a job. */
  async requeueUnlessLive(deliveries: QueuedDelivery[]): Promise<number> {
    const email = this.jobs.queue(queueOf(JOBS.emailSend));
    const batchStates = new Map<string, Promise<string>>();
    const states = await Promise.all(
      deliveries.map(async (delivery) => {
        if (delivery.sendJobId) {
          if (!batchStates.has(delivery.sendJobId)) batchStates.set(delivery.sendJobId, email.getJobState(delivery.sendJobId));
          return { ...delivery, own: null, state: await batchStates.get(delivery.sendJobId)! };
        }
        const own = this.jobs.queue(queueOf(sendJobOf(delivery.kind)));
        return { ...delivery, own, state: await own.getJobState(delivery.id) };
      }),
    );
    const dead = states.filter(({ state }) => !LIVE_STATES.has(state));
    await Promise.all(dead.filter(({ own, state }) => own && state !== 'unknown').map(({ id, own }) => own!.remove(id)));
    for (const kind of new Set(dead.map((d) => d.kind))) {
      const ofKind = dead.filter((d) => d.kind === kind);
      // Going to jobs of their own: off the dead batch first (an own job sends only a delivery no
      // batch carries). Going to new batches, enqueue names those instead.
      if (!this.batched(kind, ofKind.length)) {
        await this.deliveries.assignCarriers(ofKind.filter((d) => d.sendJobId).map(({ id }) => ({ id, sendJobId: null })));
      }
      await this.enqueue(
        ofKind.map(({ id }) => id),
        kind,
      );
    }
    return dead.length;
  }

  /**
   * A batch's deliveries that did not go out (a transient failure, a throttling answer, no send
   * slot in time) each get a job of their own, after `delayMs` or else the catalog's backoff for
   * the tries the delivery has used, with the tries it has left. Only those the batch still
   * carries: the rows say so first, then the jobs are added.
   */
  async handOff(batchJobId: string, handOffs: HandOff[]): Promise<number> {
    const released = await this.deliveries.releaseFromBatch(
      batchJobId,
      handOffs.map((h) => h.id),
    );
    const delayOf = new Map(handOffs.map((h) => [h.id, h.delayMs]));
    const { attempts: tries = 1, backoff } = JOB_CATALOG[JOBS.emailSend].options;
    const backoffMs = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 0);
    await this.jobs.addBulk(
      JOBS.emailSend,
      released.map((delivery) => ({
        payload: { deliveryId: delivery.id },
        jobId: delivery.id,
        priority: emailPriority(delivery.kind),
        // The catalog's exponential backoff, as the delivery's own job would have waited after as many failed tries.
        delayMs: delayOf.get(delivery.id) ?? backoffMs * 2 ** Math.max(0, delivery.attempts - 1),
        attempts: Math.max(1, tries - delivery.attempts),
      })),
    );
    return released.length;
  }

  /** Whether deliveries of this kind, this many at once, travel in batches. */
  private batched(kind: DeliveryKind, count: number): boolean {
    return sendJobOf(kind) === JOBS.emailSend && this.batchSize > 1 && count > 1;
  }

  private async enqueueBatches(deliveryIds: string[], priority: number | undefined): Promise<void> {
    for (let i = 0; i < deliveryIds.length; i += BULK) {
      const batches: { jobId: string; deliveryIds: string[] }[] = [];
      for (const page = deliveryIds.slice(i, i + BULK); page.length > 0; ) {
        batches.push({ jobId: `batch-${randomUUID()}`, deliveryIds: page.splice(0, this.batchSize) });
      }
      await this.deliveries.assignCarriers(batches.flatMap((b) => b.deliveryIds.map((id) => ({ id, sendJobId: b.jobId }))));
      await this.jobs.addBulk(
        JOBS.emailSendBatch,
        batches.map((b) => ({ payload: { deliveryIds: b.deliveryIds }, jobId: b.jobId, priority })),
      );
    }
  }
}
