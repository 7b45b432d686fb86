import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { fanoutJobId, JobQueues, JOBS } from '@pledgewatch/queue';
import { EventsOutboxRepository, OutboxFilter } from './events-outbox.repository';

/** Events per round trip: one locked SELECT, one addBulk, one UPDATE. */
const BATCH = 500;

/**
 * The outbox (SPEC §2): an event row commits with its change, dispatchedAt null; after commit it is
 * enqueued for fan-out (job id = event id) and marked dispatched. Called right after a write
 * commits, with the ids of the events it recorded, so they reach the queue without waiting for the
 * relay; the relay (dispatchPending) stays the safety net when this call is lost or Redis is down.
 *
 * Each batch locks its rows (FOR UPDATE SKIP LOCKED) for the length of the enqueue, so the
 * post-commit call, the relay and other replicas never enqueue the same event twice; the job id
 * is the second guard, for a crash between enqueue and commit.
 */
@Injectable()
export class EventsDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger(EventsDispatcher.name);
  private readonly inFlight = new Set<Promise<number>>();

  constructor(
    private readonly outbox: EventsOutboxRepository,
    private readonly queues: JobQueues,
  ) {}

  /**
   * Dispatches these events, if still undispatched. Never rejects: a failure leaves them to the
   * relay. Callers may await the count or leave it running (it is awaited at shutdown).
   */
  dispatch(eventIds: string[]): Promise<number> {
    if (eventIds.length === 0) return Promise.resolve(0);
    return this.track(async () => {
      let dispatched = 0;
      for (let i = 0; i < eventIds.length; i += BATCH) {
        const ids = eventIds.slice(i, i + BATCH);
        dispatched += await this.dispatchBatch({ ids });
      }
      return dispatched;
    });
  }

  /**
   * Dispatches the undispatched events that occurred at one instant: how the status check, which
   * writes every event of a run at its asOf, hands over without loading their ids. Never rejects.
   */
  dispatchOccurredAt(occurredAt: Date): Promise<number> {
    return this.track(() => this.drain({ occurredAt }, Number.POSITIVE_INFINITY));
  }

  /**
   * The relay's sweep: events still undispatched `olderThanMs` after they occurred, oldest first,
   * at most `maxBatches` batches. Rejects when the queue is unreachable (the relay logs and retries).
   */
  dispatchPending(olderThanMs: number, maxBatches = 20): Promise<number> {
    return this.drain({ olderThanMs }, maxBatches);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async drain(filter: OutboxFilter, maxBatches: number): Promise<number> {
    let dispatched = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const count = await this.dispatchBatch(filter);
      dispatched += count;
      if (count < BATCH) break;
    }
    return dispatched;
  }

  private dispatchBatch(filter: OutboxFilter): Promise<number> {
    return this.outbox.takeBatch(filter, BATCH, (ids) =>
      this.queues.addBulk(
        JOBS.eventsFanout,
        ids.map((eventId) => ({ payload: { eventId }, jobId: fanoutJobId(eventId) })),
      ),
    );
  }

  private track(work: () => Promise<number>): Promise<number> {
    const running = work().catch((error: Error) => {
      this.logger.warn(`dispatch failed, the outbox relay will retry: ${error.message}`);
      return 0;
    });
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
    return running;
  }
}
