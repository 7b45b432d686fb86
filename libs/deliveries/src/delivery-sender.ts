import { Injectable } from '@nestjs/common';
import { metrics } from '@pledgewatch/observability';
import { DeliveriesRepository, deliveryForChannel, LoadedDelivery } from './deliveries.repository';
import { ChannelError, DeliveryChannel, EmailChannel } from './delivery-channels';
import { ChannelName, DeliveryComposers } from './delivery-composers';
import { MailSendRate } from './mail-send-rate';
import { MicroBatcher } from './micro-batcher';
import { WebhookChannel } from './webhook-channel';

/** `not_carrier`: another job carries this delivery now (Delivery.sendJobId), so this one leaves it alone. */
export type SendOutcome = 'sent' | 'already_sent' | 'suppressed' | 'skipped' | 'gone' | 'not_carrier';

/** A send that must not be tried again (SMTP 5xx): the delivery is already `failed`. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/** The server answered "slow down" (421, 454, …): the delivery stays queued, its attempts untouched. */
export class DeliveryThrottledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryThrottledError';
  }
}

/**
 * Batches of at most 100, collected for at most 5 ms: at hundreds of sends a second that turns two
 * round trips and a commit per email into two per batch, for a few ms of latency per job.
 */
const BATCHING = { maxSize: 100, maxWaitMs: 5 };

/**
 * Sends one delivery, of any kind: reloads it with its recipient, lets the composer of its kind
 * decide and render, hands the message to the kind's channel and records the outcome on the row.
 * The row's `sent` status is what makes a repeated job (a retry, the reconciler, a duplicate) send
 * nothing twice.
 */
@Injectable()
export class DeliverySender {
  private readonly channels: { [C in ChannelName]: DeliveryChannel<C> };
  /** Concurrent jobs load their rows in one query… */
  private readonly loads: MicroBatcher<string, LoadedDelivery | null>;
  /** …and record their sends in one statement, one commit (a group commit: each job still waits for it). */
  private readonly sends: MicroBatcher<{ id: string; messageId: string }, undefined>;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly composers: DeliveryComposers,
    email: EmailChannel,
    webhook: WebhookChannel,
    private readonly rate: MailSendRate,
  ) {
    this.channels = { email, webhook };
    this.loads = new MicroBatcher(
      async (ids) => {
        const rows = new Map((await this.deliveries.findManyToSend(ids)).map((row) => [row.id, row]));
        return ids.map((id) => rows.get(id) ?? null);
      },
      BATCHING,
    );
    this.sends = new MicroBatcher(async (sent) => {
      await this.deliveries.markManySent(sent);
      return sent.map(() => undefined);
    }, BATCHING);
  }

  /**
   * `lastAttempt`: a transient failure now marks the delivery `failed` instead of leaving it
   * `queued` for a retry that will not come. `carrier`: the batch job sending it, or null for the
   * delivery's own job; a job that is not the row's carrier sends nothing. Throws
   * PermanentDeliveryError for a permanent failure, and a ChannelError for a transient one.
   */
  async send(deliveryId: string, lastAttempt: boolean, carrier: string | null = null): Promise<SendOutcome> {
    const row = await this.loads.submit(deliveryId);
    if (!row) return 'gone';
    if (row.status === 'sent') return 'already_sent';
    if (row.sendJobId !== carrier) return 'not_carrier';

    const { channel, composer } = this.composers.get(row.kind);
    // A subscriber's row for email, an endpoint's for webhooks; the registry erased which is which.
    const delivery = deliveryForChannel(row, channel);
    if (!delivery) return 'skipped';
    const composition = await composer.compose(delivery);
    if ('skip' in composition) return 'skipped';
    if ('suppress' in composition) {
      await this.deliveries.markSuppressed(delivery.id, composition.suppress);
      metrics.deliveries.inc({ kind: delivery.kind, status: 'suppressed' });
      return 'suppressed';
    }

    const way = this.channels[channel] as DeliveryChannel<ChannelName>;
    const messageId = way.messageId(delivery);
    // MAIL_RATE_PER_SECOND, on the send itself; throws RetryLaterError when no slot is near.
    const lease = channel === 'email' ? await this.rate.slot() : undefined;
    const sending = metrics.sendDuration.startTimer({ kind: delivery.kind });
    try {
      await way.send(delivery, composition.send, messageId).finally(() => void this.rate.release(lease));
      sending({ outcome: 'accepted' });
    } catch (error) {
      sending({ outcome: 'error' });
      const permanent = error instanceof ChannelError && error.permanent;
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ChannelError && error.throttled) {
        await this.deliveries.recordThrottled(delivery.id, message, messageId);
        throw new DeliveryThrottledError(message);
      }
      await this.deliveries.recordFailure(delivery.id, message, permanent || lastAttempt, messageId);
      if (permanent || lastAttempt) metrics.deliveries.inc({ kind: delivery.kind, status: 'failed' });
      if (permanent) throw new PermanentDeliveryError(message);
      throw error;
    }
    await this.sends.submit({ id: delivery.id, messageId });
    if (channel === 'email') await this.rate.sent();
    metrics.deliveries.inc({ kind: delivery.kind, status: 'sent' });
    return 'sent';
  }
}
