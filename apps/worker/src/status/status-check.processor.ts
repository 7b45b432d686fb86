import { Injectable } from '@nestjs/common';
import { JobHandler, JOBS, StatusCheckPayload } from '@pledgewatch/queue';
import { StatusCheckService } from '@pledgewatch/status';

/** `status.check`: the check of one slot, as of the slot's start; a slot already checked is skipped. */
@Injectable()
export class StatusCheckProcessor {
  constructor(private readonly check: StatusCheckService) {}

  @JobHandler(JOBS.statusCheck)
  run(payload: StatusCheckPayload) {
    return this.check.run({ asOf: new Date(payload.asOf), slot: payload.slot, trigger: payload.trigger ?? 'schedule' });
  }
}
