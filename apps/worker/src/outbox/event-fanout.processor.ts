import { Injectable } from '@nestjs/common';
import { AlertFanoutService } from '@pledgewatch/alerts';
import { EventFanoutPayload, JobHandler, JOBS } from '@pledgewatch/queue';
import { WebhookFanoutService } from '@pledgewatch/webhooks';

/**
 * `events.fanout`: one event, reloaded by id (a job carries ids, never rows that may be stale), matched against subscriptions and
 * webhook endpoints (the same topic rule); its alert deliveries get one `email.send` job each, its
 * webhook deliveries one `webhook.send` each (libs/alerts, libs/webhooks, libs/deliveries). Both
 * halves are idempotent, so a retry of the job after either failed repeats nothing.
 */
@Injectable()
export class EventFanoutProcessor {
  constructor(
    private readonly fanout: AlertFanoutService,
    private readonly webhooks: WebhookFanoutService,
  ) {}

  @JobHandler(JOBS.eventsFanout)
  async fanOut(payload: EventFanoutPayload) {
    const [alerts, webhooks] = await Promise.all([this.fanout.fanOut(payload.eventId), this.webhooks.fanOut(payload.eventId)]);
    return { ...alerts, webhooks };
  }
}
