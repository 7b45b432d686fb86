import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DeliveryKind } from '@pledgewatch/database';
import { DeliveryComposers, DeliverySender, DeliveryThrottledError, MailSendRate, PermanentDeliveryError } from '@pledgewatch/deliveries';
import { EmailSendPayload, JobHandler, JOBS, RetryLaterError } from '@pledgewatch/queue';
import { Job, UnrecoverableError } from 'bullmq';

/**
 * `email.send`: one delivery, any kind. Retries and backoff come from the job catalog. A
 * throttling answer is no failed attempt: every worker pauses (MailSendRate), and the job goes
 * back to the queue with its attempts untouched (RetryLaterError, see JobWorkers).
 */
@Injectable()
export class EmailSendProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly sender: DeliverySender,
    private readonly composers: DeliveryComposers,
    private readonly rate: MailSendRate,
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
      if (error instanceof DeliveryThrottledError) throw new RetryLaterError(await this.rate.throttled(), `throttled: ${error.message}`);
      throw error;
    }
  }
}
