import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@pledgewatch/config';
import { EventsDispatcher } from '@pledgewatch/events';
import { WORKER_OPTIONS, WorkerOptions } from '../worker-options';

const INTERVAL_NAME = 'outbox-relay';

/**
 * The outbox's safety net: every few seconds, events still undispatched a few seconds after they
 * occurred — the process died between commit and enqueue, Redis was down, or Redis lost its data
 * and the event was re-marked — are enqueued and marked. Replicas sweeping together are harmless:
 * each batch locks its rows (SKIP LOCKED), and the job id is the event id.
 *
 * Each sweep also looks at events dispatched a while ago whose fan-out has not finished: one whose
 * job the queue lost (flushed or restarted empty while it waited or ran) is dispatched again.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private running?: Promise<number>;
  private failing = false;

  constructor(
    private readonly dispatcher: EventsDispatcher,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.options.relayEveryMs ?? 5_000;
    if (every === false) return;
    const timer = setInterval(() => void this.sweep(), every);
    timer.unref();
    this.registry.addInterval(INTERVAL_NAME, timer);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  /** One sweep; a sweep still running makes this a no-op. Answers how many events it dispatched (again). */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    const refanoutAfterMs = this.options.refanoutAfterMs ?? this.config.deliveryStuckAfterSeconds * 1000;
    this.running = this.dispatcher
      .dispatchPending(this.options.relayAfterMs ?? 5_000)
      .then(async (count) => count + (await this.dispatcher.redispatchUnfinished(refanoutAfterMs)))
      .then((count) => {
        if (this.failing) this.logger.log('queue reachable again');
        this.failing = false;
        if (count > 0) this.logger.log(`relayed ${count} undispatched events`);
        return count;
      })
      .catch((error: Error) => {
        // Logged once per outage, not every 5 s.
        if (!this.failing) this.logger.warn(`relay cannot dispatch, will retry: ${error.message}`);
        this.failing = true;
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
