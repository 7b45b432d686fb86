/** Knobs of the worker process that are not deployment configuration: tests turn them. */
export interface WorkerOptions {
  /** How often the outbox relay sweeps; `false` turns it off. Default 5 s. */
  relayEveryMs?: number | false;
  /** How old an undispatched event must be before the relay takes it. Default 5 s. */
  relayAfterMs?: number;
  /**
   * How long after its dispatch an event whose fan-out has not finished is looked at, and given a
   * new fan-out job if the queue lost its old one. Default DELIVERY_STUCK_AFTER_SECONDS.
   */
  refanoutAfterMs?: number;
}

export const WORKER_OPTIONS = Symbol('WORKER_OPTIONS');
