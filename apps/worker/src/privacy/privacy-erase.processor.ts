import { Injectable } from '@nestjs/common';
import { JobHandler, JOBS, PrivacyErasePayload } from '@pledgewatch/queue';
import { SubscriberRetention } from '@pledgewatch/subscriptions';

/** `privacy.erase`: never-confirmed subscribers after 7 days, unsubscribed ones after 30, as of the slot. */
@Injectable()
export class PrivacyEraseProcessor {
  constructor(private readonly retention: SubscriberRetention) {}

  @JobHandler(JOBS.privacyErase)
  run(payload: PrivacyErasePayload) {
    return this.retention.eraseExpired(new Date(payload.slot));
  }
}
