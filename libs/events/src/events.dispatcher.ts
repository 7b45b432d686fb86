import { Injectable } from '@nestjs/common';

/**
 * Called after a write commits, with the ids of the events it recorded, so they can reach the queue
 * without waiting for the outbox relay. A no-op until the relay lands: until then every event stays
 * undispatched (dispatchedAt null) in Postgres, which is where the relay will find it.
 */
@Injectable()
export class EventsDispatcher {
  dispatch(eventIds: string[]): void {
    void eventIds;
  }
}
