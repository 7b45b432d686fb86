import { Injectable, Logger } from '@nestjs/common';
import { SubscriptionsRepository } from './subscriptions.repository';

const DAY_MS = 24 * 3600 * 1000;

/** How long an address is kept once it is of no use (docs/privacy.md). */
export const RETENTION = {
  /** A subscription never confirmed: its confirmation link expired after 7 days, so the address is only a risk. */
  neverConfirmedMs: 7 * DAY_MS,
  /** After unsubscribing: long enough to answer "why did I get this?", then gone. */
  unsubscribedMs: 30 * DAY_MS,
} as const;

/** Erases subscribers kept past their time; the worker's `privacy.erase` job runs it every hour. */
@Injectable()
export class SubscriberRetention {
  private readonly logger = new Logger(SubscriberRetention.name);

  constructor(private readonly repository: SubscriptionsRepository) {}

  async eraseExpired(now: Date): Promise<{ pending: number; unsubscribed: number }> {
    const erased = await this.repository.eraseExpired(now, RETENTION.neverConfirmedMs, RETENTION.unsubscribedMs);
    if (erased.pending || erased.unsubscribed) {
      this.logger.log(`erased ${erased.pending} never-confirmed and ${erased.unsubscribed} unsubscribed subscribers`);
    }
    return erased;
  }
}
