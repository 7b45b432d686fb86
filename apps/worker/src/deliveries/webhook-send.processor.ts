import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { DeliveriesRepository, DeliverySender, PermanentDeliveryError, WebhookAttemptsRepository } from '@pledgewatch/deliveries';
import { JobHandler, JOBS, WebhookSendPayload, webhookRetryDelay } from '@pledgewatch/queue';
import { WebhookEndpointsRepository } from '@pledgewatch/webhooks';
import { Job, UnrecoverableError } from 'bullmq';

/**
 * `webhook.send`: one webhook delivery. Unlike email it retries for a span of time, not a number of
 * times (WEBHOOK_RETRY_SPAN from the job's creation, delays from webhookRetryDelay, the last one
 * shortened to end exactly at the span): the attempt made once the span is over is the last. A delivery still failing then
 * is `failed`, and its endpoint is disabled with the reason. A permanent failure (a 4xx other than
 * 408/429, a redirect, a refused address) fails the delivery at once and leaves the endpoint as is.
 */
@Injectable()
export class WebhookSendProcessor {
  private readonly logger = new Logger(WebhookSendProcessor.name);

  constructor(
    private readonly sender: DeliverySender,
    private readonly deliveries: DeliveriesRepository,
    private readonly attempts: WebhookAttemptsRepository,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly config: AppConfig,
  ) {}

  @JobHandler(JOBS.webhookSend)
  async send(payload: WebhookSendPayload, job: Job<WebhookSendPayload>) {
    const policy = this.config.webhooks;
    const lastAttempt = Date.now() - job.timestamp >= policy.retrySpanMs;
    try {
      return { outcome: await this.sender.send(payload.deliveryId, lastAttempt) };
    } catch (error) {
      if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(error.message);
      const message = error instanceof Error ? error.message : String(error);
      // The same delay BullMQ's `webhook` backoff strategy is about to compute (libs/queue).
      const delay = lastAttempt ? null : webhookRetryDelay(job.attemptsMade + 1, Date.now() - job.timestamp, policy);
      if (delay !== null) {
        await this.attempts.setNextAttempt(payload.deliveryId, new Date(Date.now() + delay));
        throw error;
      }
      // The span is over (it may have run out during this very attempt): the delivery failed for good.
      if (!lastAttempt) await this.deliveries.markFailed(payload.deliveryId);
      const since = new Date(job.timestamp).toISOString();
      const disabled = await this.endpoints.disableForDelivery(payload.deliveryId, `failing since ${since} for the whole retry span; last error: ${message}`);
      if (disabled) this.logger.warn(`webhook endpoint ${disabled} disabled: delivery ${payload.deliveryId} failed for the whole retry span (${message})`);
      throw new UnrecoverableError(message);
    }
  }
}
