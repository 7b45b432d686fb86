import { Injectable } from '@nestjs/common';
import { AlertFanoutService } from '@pledgewatch/alerts';
import { EventFanoutPayload, JobHandler, JOBS } from '@pledgewatch/queue';

/**
 * `events.fanout`: one event, reloaded by id (STYLE habit 3), matched against subscriptions; its
 * alert deliveries are created set-based and get one `email.send` job each (libs/alerts, libs/deliveries).
 */
@Injectable()
export class EventFanoutProcessor {
  constructor(private readonly fanout: AlertFanoutService) {}

  @JobHandler(JOBS.eventsFanout)
  fanOut(payload: EventFanoutPayload) {
    return this.fanout.fanOut(payload.eventId);
  }
}
