import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { DeliveryKind } from '@pledgewatch/database';
import {
  DeliveryComposers,
  DeliveryQueue,
  DeliverySender,
  DeliveryThrottledError,
  HandOff,
  MailSendRate,
  PermanentDeliveryError,
  SendOutcome,
} from '@pledgewatch/deliveries';
import { EmailSendBatchPayload, EmailSendPayload, JobHandler, JOBS, RetryLaterError } from '@pledgewatch/queue';
import { Job, UnrecoverableError } from 'bullmq';
import pLimit from 'p-limit';

/**
 * `email.send`: one delivery, any kind. Retries and backoff come from the job catalog. A
 * throttling answer is no failed attempt: every worker pauses (MailSendRate), and the job goes
 * back to the queue with its attempts untouched (RetryLaterError, see JobWorkers).
 *
 * `email.sendBatch`: the first try of a fan-out's or a digest run's deliveries, many per job. A
 * delivery that does not go out is handed to an `email.send` job of its own — after the catalog's
 * backoff for a failed try, after the pause for a throttling answer or a late send slot — and the
 * batch completes: one slow recipient never holds the others back, and each retry is its own.
 *
 * Both go through one bound: at most CONCURRENCY_EMAIL_SEND sends in flight in this process,
 * however many batches are active, so memory (a digest is tens of KB per recipient) stays flat.
 */
@Injectable()
export class EmailSendProcessor implements OnApplicationBootstrap {
  private readonly inFlight: pLimit.Limit;

  constructor(
    private readonly sender: DeliverySender,
    private readonly composers: DeliveryComposers,
    private readonly rate: MailSendRate,
    private readonly queue: DeliveryQueue,
    config: AppConfig,
  ) {
    this.inFlight = pLimit(config.jobConcurrency[JOBS.emailSend]);
  }

  /** Composers register in onModuleInit; a kind nobody renders stops the worker now, not at the first send. */
  onApplicationBootstrap(): void {
    this.composers.assertEveryKind(Object.values(DeliveryKind));
  }

  @JobHandler(JOBS.emailSend)
  async send(payload: EmailSendPayload, job: Job<EmailSendPayload>) {
    // attemptsMade counts the attempts that already failed; this one is the last when no retry follows.
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return { outcome: await this.inFlight(() => this.sender.send(payload.deliveryId, lastAttempt)) };
    } catch (error) {
      // A 5xx will answer the same next time: fail the job now, without the retries.
      if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(error.message);
      if (error instanceof DeliveryThrottledError) throw new RetryLaterError(await this.rate.throttled(), `throttled: ${error.message}`);
      throw error;
    }
  }

  @JobHandler(JOBS.emailSendBatch)
  async sendBatch(payload: EmailSendBatchPayload, job: Job<EmailSendBatchPayload>) {
    const carrier = job.id!;
    const tries = await Promise.all(
      payload.deliveryIds.map((id) =>
        this.inFlight(() => this.sender.send(id, false, carrier)).then(
          (outcome) => ({ id, outcome }),
          (error: unknown) => ({ id, error }),
        ),
      ),
    );
    const outcomes: Partial<Record<SendOutcome | 'failed' | 'handed_off', number>> = {};
    const count = (key: keyof typeof outcomes) => (outcomes[key] = (outcomes[key] ?? 0) + 1);
    const retries: { id: string; error: unknown }[] = [];
    for (const t of tries) {
      if ('outcome' in t) count(t.outcome);
      else if (t.error instanceof PermanentDeliveryError) count('failed');
      else retries.push(t);
    }
    if (retries.length === 0) return outcomes;
    // One pause for the batch, however many of its sends the server throttled.
    const pauseMs = retries.some((r) => r.error instanceof DeliveryThrottledError) ? await this.rate.throttled() : 0;
    const handOffs: HandOff[] = retries.map(({ id, error }) => ({
      id,
      // A failed try waits the catalog's backoff (handOff); a throttle or a late slot, the pause.
      delayMs: error instanceof DeliveryThrottledError ? pauseMs : error instanceof RetryLaterError ? error.delayMs : undefined,
    }));
    outcomes.handed_off = await this.queue.handOff(carrier, handOffs);
    return outcomes;
  }
}
