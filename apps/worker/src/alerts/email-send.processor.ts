import { Injectable } from '@nestjs/common';
import { DeliverySender, PermanentDeliveryError } from '@pledgewatch/alerts';
import { EmailSendPayload, JobHandler, JOBS } from '@pledgewatch/queue';
import { Job, UnrecoverableError } from 'bullmq';

/** `email.send`: one delivery, any kind. Retries and backoff come from the job catalog. */
@Injectable()
export class EmailSendProcessor {
  constructor(private readonly sender: DeliverySender) {}

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
