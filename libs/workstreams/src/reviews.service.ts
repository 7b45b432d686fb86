import { Injectable } from '@nestjs/common';
import { Actor, AuditService } from '@pledgewatch/audit';
import { AppConfig } from '@pledgewatch/config';
import { EventsDispatcher, EventsRecorder, NewEvent } from '@pledgewatch/events';
import type { ReviewInput } from './workstream-input';
import { recomputeHealth } from './workstream-rules';
import { WorkstreamsRepository } from './workstreams.repository';
import { SINGLE_WRITE, WriteResult } from './write-result';

export interface ReviewView {
  workstream: string;
  reviewedAt: string;
  reviewer: string;
  note: string;
  evidence: NonNullable<ReviewInput['evidence']>;
  health: string;
  healthReason: string;
}

export interface ReviewDueItem {
  id: string;
  slug: string;
  title: string;
  health: string;
  healthReason: string;
  lastReviewedAt: string | null;
  lastReviewedBy: string | null;
  lastReviewNote: string | null;
}

/**
 * "Checked, nothing new": an editor records that they looked at a workstream against its sources.
 * The look is what lets a verdict say more than "nothing recorded": an announced date missed
 * before the review makes the workstream off track, a long silence found at a review makes it
 * stalled. One transaction: the review, the stamp, the recomputed health and its event, the audit.
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly repository: WorkstreamsRepository,
    private readonly recorder: EventsRecorder,
    private readonly dispatcher: EventsDispatcher,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async review(reference: string, input: ReviewInput, actor: Actor): Promise<WriteResult<ReviewView>> {
    const now = new Date();
    const result = await this.repository.transaction(async (tx) => {
      const locked = await this.repository.lockCurrentWorkstream(tx, reference, undefined);
      const evidence = input.evidence ?? [];
      const stamp = await this.repository.stampReview(tx, {
        workstreamId: locked.id,
        at: now,
        reviewer: actor.name,
        apiKeyId: actor.apiKeyId,
        kind: 'review',
        note: input.note,
        evidence,
      });
      const workstream = await this.repository.loadWorkstream(tx, locked.id);
      const milestones = await this.repository.milestonesOf(tx, [locked.id]);
      const health = recomputeHealth(workstream, milestones, now, this.config.healthWindows);
      // The review is public (its date, its note): the workstream's version moves.
      await this.repository.updateWorkstreamVersioned(tx, locked.id, undefined, { ...health.data, ...stamp });
      const events: NewEvent[] = health.event
        ? [{ ...health.event, actor: actor.name, notify: true, note: input.note, evidenceUrl: evidence[0]?.url ?? null }]
        : [];
      const eventIds = await this.recorder.record(tx, events, now);
      const after = await this.repository.loadWorkstream(tx, locked.id);
      const view: ReviewView = {
        workstream: after.slug,
        reviewedAt: now.toISOString(),
        reviewer: actor.name,
        note: input.note,
        evidence,
        health: after.health,
        healthReason: after.healthReason,
      };
      await this.audit.record(
        tx,
        { actor: actor.name, apiKeyId: actor.apiKeyId, action: 'workstream.review', entityType: 'workstream', entityId: locked.id, after: view },
        now,
      );
      return { view, version: after.version, eventIds };
    }, SINGLE_WRITE);
    void this.dispatcher.dispatch(result.eventIds);
    return result;
  }

  /** Open workstreams not reviewed within the review window (or never), the longest unreviewed first. */
  async due(limit: number): Promise<{ items: ReviewDueItem[]; reviewDays: number }> {
    const reviewDays = this.config.healthReviewDays;
    const rows = await this.repository.reviewsDue(limit, reviewDays);
    return {
      reviewDays,
      items: rows.map((r) => ({ ...r, lastReviewedAt: r.lastReviewedAt?.toISOString() ?? null })),
    };
  }
}
