import { Injectable } from '@nestjs/common';
import { DigestRunService } from '@pledgewatch/digest';
import { metrics, timed } from '@pledgewatch/observability';
import { DigestRunPayload, JobHandler, JOBS } from '@pledgewatch/queue';

/** `digest.run`: the slot's weekly digests (and any missed in the day before it) become deliveries and send jobs. */
@Injectable()
export class DigestRunProcessor {
  constructor(private readonly digests: DigestRunService) {}

  @JobHandler(JOBS.digestRun)
  async run(payload: DigestRunPayload) {
    const result = await timed(metrics.digestRunDuration, () => this.digests.run(new Date(payload.slot)));
    metrics.digestRuns.inc();
    return result;
  }
}
