import { Injectable, Logger } from '@nestjs/common';
import { DeliveryQueue } from '@pledgewatch/deliveries';
import { DigestCursor, DigestDeliveriesRepository } from './digest-deliveries.repository';
import { isHourSlot } from './digest-schedule';

/** How far back a run looks for slots nobody processed (a worker down, a job lost): a day. */
export const DIGEST_CATCH_UP_HOURS = 24;
/** Due subscribers per insert statement. */
export const DIGEST_BATCH_SIZE = 2_000;

export interface DigestRunOptions {
  catchUpHours?: number;
  batchSize?: number;
}

export interface DigestRunResult {
  slot: string;
  /** Slots the run covered: its own and the ones before it, for catch-up. */
  slotsCovered: number;
  created: number;
  suppressed: number;
  /** Deliveries an earlier, interrupted run had created but maybe not enqueued. */
  requeued: number;
  /** Subscriber time zones Postgres does not know: their digests cannot be scheduled. */
  unknownZones: string[];
}

/**
 * The `digest.run` job's work for one hourly slot. It covers the slot and the `catchUpHours − 1`
 * before it in one pass: whatever fell due in that window and has no delivery yet gets one, so a
 * slot missed while the worker was down is caught up by the next run, and a re-run (or a late,
 * duplicate job for an earlier slot) finds every delivery there and creates nothing.
 */
@Injectable()
export class DigestRunService {
  private readonly logger = new Logger(DigestRunService.name);

  constructor(
    private readonly deliveries: DigestDeliveriesRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  async run(slot: Date, options: DigestRunOptions = {}): Promise<DigestRunResult> {
    if (!isHourSlot(slot)) throw new RangeError(`digest.run needs an hour slot, got ${slot.toISOString()}`);
    const hours = options.catchUpHours ?? DIGEST_CATCH_UP_HOURS;
    // Beyond six days one subscriber's (weekday, hour) could fall due twice in the window.
    if (!(hours >= 1 && hours <= 6 * 24)) throw new RangeError(`catchUpHours must be 1..144, got ${hours}`);
    const batchSize = options.batchSize ?? DIGEST_BATCH_SIZE;

    const from = new Date(slot.getTime() - hours * 3_600_000);
    const { combos, unknownZones } = await this.deliveries.dueCombinations(from, slot);
    if (unknownZones.length) this.logger.warn(`time zones Postgres does not know, no digests for them: ${unknownZones.join(', ')}`);

    const result: DigestRunResult = { slot: slot.toISOString(), slotsCovered: hours, created: 0, suppressed: 0, requeued: 0, unknownZones };
    if (combos.length === 0) return result;

    // One combination (zone, weekday, hour) at a time, each walked in topics order: everyone who
    // gets the same digest is enqueued together (DigestDeliveriesRepository.insertDigestBatch).
    for (const combo of await this.deliveries.populated(combos)) {
      let after: DigestCursor | null = null;
      for (;;) {
        const batch = await this.deliveries.insertDigestBatch(combo, after, batchSize);
        // Enqueue right after each insert: if Redis is down this throws, the job retries, and the
        // rows already created come back as `pending` (and the reconciler finds them meanwhile).
        const pending = batch.pending.filter((d) => !batch.created.includes(d.id));
        await this.queue.enqueueFanout('digest', batch.created, pending);
        result.created += batch.created.length;
        result.suppressed += batch.suppressed;
        result.requeued += pending.length;
        if (batch.size < batchSize || !batch.last) break;
        after = batch.last;
      }
    }
    if (result.created || result.suppressed || result.requeued) {
      this.logger.log(`digest ${result.slot}: ${result.created} queued, ${result.suppressed} quiet and skipped, ${result.requeued} re-enqueued`);
    }
    return result;
  }
}
