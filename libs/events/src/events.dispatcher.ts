import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { fanoutJobId, JobQueues, JOBS, queueOf } from '@pledgewatch/queue';
import { EventsOutboxRepository, OutboxFilter } from './events-outbox.repository';

/** Events per round trip: one locked SELECT, one addBulk, one UPDATE. */
const BATCH = 500;

/** Unfinished fan-outs looked at per sweep: one job-state read each. */
const UNFINISHED_BATCH = 200;

/** States in which a fan-out job will still run (or is running). */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * The outbox (docs/architecture.md): an event row commits with its change, dispatchedAt null; after commit it is
 * enqueued for fan-out (job id = event id) and marked dispatched. Called right after a write
 * commits, with the ids of the events it recorded, so they reach the queue without waiting for the
 * relay; the relay (dispatchPending) stays the safety net when this call is lost or Redis is down.
 *
 * Each batch locks its rows (FOR UPDATE SKIP LOCKED) for the length of the enqueue, so the
 * post-commit call, the relay and other replicas never enqueue the same event twice; the job id
 * is the second guard, for a crash between enqueue and commit.
 *
 * Dispatched is not done: the queue can lose the fan-out job before it has created every delivery
 * (Redis flushed or restarted empty while the job waited or ran, the worker killed with it). The
 * event stays `fanoutPending` until its fan-out finishes, and redispatchUnfinished gives such an
 * event a new job when its old one is gone; a re-run creates nothing twice (unique subscriber ×
 * event) and enqueues what is still queued.
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

  /**
   * The relay's second sweep: events dispatched more than `olderThanMs` ago whose fan-out has not
   * finished and whose job is gone from the queue (or failed for good) get a new fan-out job; a
   * job still waiting or running is left alone. Answers how many got one. Rejects when the queue
   * is unreachable.
   */
  async redispatchUnfinished(olderThanMs: number): Promise<number> {
    const ids = await this.outbox.findUnfinishedFanouts(olderThanMs, UNFINISHED_BATCH);
    if (ids.length === 0) return 0;
    const queue = this.queues.queue(queueOf(JOBS.eventsFanout));
    const states = await Promise.all(ids.map(async (eventId) => ({ eventId, state: await queue.getJobState(fanoutJobId(eventId)) })));
    const gone = states.filter(({ state }) => !LIVE_STATES.has(state));
    if (gone.length === 0) return 0;
    // A finished job keeps its id: while it exists, an add with that id would be a no-op.
    await Promise.all(gone.filter(({ state }) => state !== 'unknown').map(({ eventId }) => queue.remove(fanoutJobId(eventId))));
    await this.queues.addBulk(
      JOBS.eventsFanout,
      gone.map(({ eventId }) => ({ payload: { eventId }, jobId: fanoutJobId(eventId) })),
    );
    this.logger.warn(`re-dispatched ${gone.length} events whose fan-out the queue lost before it finished`);
    return gone.length;
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
