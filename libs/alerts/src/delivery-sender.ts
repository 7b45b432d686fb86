import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { metrics } from '@pledgewatch/observability';
import { MailSendError, MailTransport } from '@pledgewatch/mail';
import { SubscriberLinks } from '@pledgewatch/subscriptions';
import { DeliveriesRepository, DeliveryToSend } from './deliveries.repository';
import { DeliveryComposers } from './delivery-composers';
import { MicroBatcher } from './micro-batcher';

export type SendOutcome = 'sent' | 'already_sent' | 'suppressed' | 'skipped' | 'gone';

/** A send that must not be tried again (SMTP 5xx): the delivery is already `failed`. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/**
 * Batches of at most 100, collected for at most 5 ms: at hundreds of sends a second that turns two
 * round trips and a commit per email into two per batch, for a few ms of latency per job.
 */
const BATCHING = { maxSize: 100, maxWaitMs: 5 };

/**
 * Sends one delivery: reloads it with its subscriber, lets the composer of its kind decide and
 * render, adds Message-ID and the RFC 8058 unsubscribe headers, hands it to the transport and
 * records the outcome on the row. The row's `sent` status is what makes a repeated job (a retry,
 * the reconciler, a duplicate) send nothing twice. Message-ID is `<delivery-id@host of
 * PUBLIC_BASE_URL>`, as ConfirmationMailer makes it: every attempt at a delivery carries the same.
 */
@Injectable()
export class DeliverySender {
  private readonly messageIdHost: string;
  /** Concurrent jobs load their rows in one query… */
  private readonly loads: MicroBatcher<string, DeliveryToSend | null>;
  /** …and record their sends in one statement, one commit (a group commit: each job still waits for it). */
  private readonly sends: MicroBatcher<{ id: string; messageId: string }, undefined>;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly composers: DeliveryComposers,
    private readonly transport: MailTransport,
    private readonly links: SubscriberLinks,
    config: AppConfig,
  ) {
    this.messageIdHost = new URL(config.publicBaseUrl).hostname;
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
   * `queued` for a retry that will not come. Throws PermanentDeliveryError for a permanent
   * failure, and the transport's error for a transient one.
   */
  async send(deliveryId: string, lastAttempt: boolean): Promise<SendOutcome> {
    const delivery = await this.loads.submit(deliveryId);
    if (!delivery) return 'gone';
    if (delivery.status === 'sent') return 'already_sent';

    const [manageUrl, unsubscribeUrl, headers] = await Promise.all([
      this.links.manageUrl(delivery.subscriberId),
      this.links.unsubscribeUrl(delivery.subscriberId),
      this.links.listUnsubscribeHeaders(delivery.subscriberId),
    ]);
    const composition = await this.composers.get(delivery.kind).compose(delivery, { manageUrl, unsubscribeUrl });
    if ('skip' in composition) return 'skipped';
    if ('suppress' in composition) {
      await this.deliveries.markSuppressed(delivery.id, composition.suppress);
      metrics.deliveries.inc({ kind: delivery.kind, status: 'suppressed' });
      return 'suppressed';
    }

    const messageId = `<${delivery.id}@${this.messageIdHost}>`;
    const sending = metrics.sendDuration.startTimer({ kind: delivery.kind });
    try {
      await this.transport.send({ to: delivery.email, ...composition.send, messageId, headers });
      sending({ outcome: 'accepted' });
    } catch (error) {
      sending({ outcome: 'error' });
      const permanent = error instanceof MailSendError && !error.transient;
      const message = error instanceof Error ? error.message : String(error);
      await this.deliveries.recordFailure(delivery.id, message, permanent || lastAttempt);
      if (permanent || lastAttempt) metrics.deliveries.inc({ kind: delivery.kind, status: 'failed' });
      if (permanent) throw new PermanentDeliveryError(message);
      throw error;
    }
    await this.sends.submit({ id: delivery.id, messageId });
    metrics.deliveries.inc({ kind: delivery.kind, status: 'sent' });
    return 'sent';
  }
}
