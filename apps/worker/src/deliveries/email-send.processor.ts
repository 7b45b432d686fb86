import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DeliveryKind } from '@pledgewatch/database';
import { DeliveryComposers, DeliverySender, PermanentDeliveryError } from '@pledgewatch/deliveries';
import { EmailSendPayload, JobHandler, JOBS } from '@pledgewatch/queue';
import { Job, UnrecoverableError } from 'bullmq';

/** `email.send`: one delivery, any kind. Retries and backoff come from the job catalog. */
@Injectable()
export class EmailSendProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly sender: DeliverySender,
    private readonly composers: DeliveryComposers,
  ) {}

  /** Composers register in onModuleInit; a kind nobody renders stops the worker now, not at the first send. */
  onApplicationBootstrap(): void {
    this.composers.assertEveryKind(Object.values(DeliveryKind));
  }

  @JobHandler(JOBS.emailSend)
  async send(payload: EmailSendPayload, job: Job<EmailSendPayload>) {
    // attemptsMade counts the attempts that already failed; this one is the last when no retry follows.
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return { outcome: await this.sender.send(payload.deliveryId, lastAttempt) };
    } catch (error) {
      // A 5xx will answer the same next time: fail the job now, without the retries.
      if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
