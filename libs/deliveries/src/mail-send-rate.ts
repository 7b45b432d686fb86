import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { QueueBackend, RetryLaterError, SendPacer } from '@pledgewatch/queue';

/**
 * How long a send may wait for its turn inside its job. Beyond that the job goes back to the queue
 * (RetryLaterError), so a backlog waits there, in priority order, not in workers' hands.
 */
const MAX_WAIT_MS = 1_000;

/**
 * A grant may come this early (GCRA tolerance): polls that land a little late do not lose their
 * turn for good. The leases keep any second at the server to the rate whatever the tolerance.
 */
const TOLERANCE_US = 10_000;

/** The throttling pause: 0.5 s, doubling while the provider keeps refusing, at most 30 s. */
const PAUSE = { baseMs: 500, maxMs: 30_000 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * MAIL_RATE_PER_SECOND across every worker, and the pause after a provider's throttling answer.
 * The rate is enforced on the send itself, right before the SMTP transaction, through a pacer in
 * the queues' store (libs/queue send-pacer.ts: Redis, Redis Cluster or the PostgreSQL queue
 * schema) — not on job starts, which two workers' limiters would each count on their own. Turns
 * are spaced 1/rate apart, and each is a lease held until a second after the server answered, of
 * which at most `rate` are live: no second at the server holds more, however late a busy worker
 * delivers what it was granted.
 *
 * Unset rate: no store round trip on the way to a send. A throttling answer is then written to
 * the store (the pause still grows across workers) and waited out by this process; other
 * processes pause when they meet one themselves.
 */
@Injectable()
export class MailSendRate {
  private readonly intervalUs: number | null;
  /** Sends leased at once, at most: a second's worth (see SendPacer's leases). */
  private readonly limit: number;
  private pacerOfStore: SendPacer | undefined;
  /** The end of the last throttling pause this process heard of (epoch ms). */
  private pausedUntil = 0;
  /** A throttle was answered since this process's last successful send. */
  private recovering = false;
  /** This process's sends waiting for a grant, one behind the other: one poll of the store at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    config: AppConfig,
    private readonly backend: QueueBackend,
  ) {
    this.intervalUs = config.mailRatePerSecond === null ? null : 1_000_000 / config.mailRatePerSecond;
    this.limit = Math.max(1, Math.floor(config.mailRatePerSecond ?? 1));
  }

  /**
   * Resolves when this message may go, right away, with the lease to hand to release() once the
   * server has answered (none when the rate is unlimited); throws RetryLaterError when it would
   * have to wait more than a second (the job returns to the queue without using an attempt).
   */
  async slot(): Promise<string | undefined> {
    if (this.intervalUs === null) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) await sleep(pause);
      return undefined;
    }
    const giveUpAt = Date.now() + MAX_WAIT_MS;
    const turn = this.queue.then(() => this.grant(this.intervalUs!, giveUpAt));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** The send of a slot() is over. Never throws: an unreleased lease lapses by itself, a minute on. */
  async release(lease: string | undefined): Promise<void> {
    if (lease) await this.pacer().release(lease).catch(() => undefined);
  }

  private async grant(intervalUs: number, giveUpAt: number): Promise<string> {
    const lease = randomUUID();
    for (;;) {
      // Its turn came too late (the sends ahead of it took their time): back to the queue, whose order is the priorities'.
      if (Date.now() > giveUpAt) throw new RetryLaterError(Math.ceil(this.intervalUs! / 1000), 'mail send rate: no turn within a second');
      const decision = await this.pacer().take(intervalUs, TOLERANCE_US, this.limit, lease);
      if (decision.granted) return lease;
      if (Date.now() + decision.retryInMs > giveUpAt) throw new RetryLaterError(decision.retryInMs, 'mail send rate: no turn within a second');
      await sleep(decision.retryInMs);
    }
  }

  /** A throttling answer: every worker pauses; answers the pause in ms. */
  async throttled(): Promise<number> {
    const pauseMs = await this.pacer().throttled(PAUSE.baseMs, PAUSE.maxMs);
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + pauseMs);
    this.recovering = true;
    return pauseMs;
  }

  /** After a successful send: the first one after a throttle resets the pause's growth (a store write only then). */
  async sent(): Promise<void> {
    if (!this.recovering) return;
    this.recovering = false;
    await this.pacer().recovered();
  }

  /** When the next queued message can go: now, or the next free slot, or the end of a throttling pause. */
  async nextSendAt(): Promise<Date> {
    return new Date(Date.now() + (await this.pacer().nextSlotInMs()));
  }

  private pacer(): SendPacer {
    this.pacerOfStore ??= this.backend.sendPacer('mail');
    return this.pacerOfStore;
  }
}
