import { Injectable } from '@nestjs/common';
import { Actor, AuditService } from '@pledgewatch/audit';
import { AppConfig } from '@pledgewatch/config';
import type { Prisma } from '@pledgewatch/database';
import { EventsDispatcher, EventsRecorder, NewEvent } from '@pledgewatch/events';
import { assertCurrentVersion, NotFoundError } from '@pledgewatch/problems';
import { planMilestonePatch, resolveNewMilestone, todayUtc } from './milestone-rules';
import type { AddMilestoneInput, PatchMilestoneInput } from './workstream-input';
import { recomputeHealth } from './workstream-rules';
import { isoDate, toMilestoneView } from './workstream.view';
import { WorkstreamsRepository } from './workstreams.repository';
import { SINGLE_WRITE, unprocessable, WriteResult } from './write-result';

export type MilestoneView = ReturnType<typeof toMilestoneView>;

/**
 * Editors' writes to milestones. Each is one transaction: the milestone, a review stamp (an edit is
 * a look at the sources), the workstream's recomputed health and last progress, one event per
 * change, the audit entry. Events go to the dispatcher
 * after commit.
 */
@Injectable()
export class MilestoneEditorService {
  constructor(
    private readonly repository: WorkstreamsRepository,
    private readonly recorder: EventsRecorder,
    private readonly dispatcher: EventsDispatcher,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /**
   * `POST /v1/admin/workstreams/{id|slug}/milestones`. If-Match names the workstream's version:
   * its milestone list is part of it, so adding one bumps it.
   */
  async add(workstreamReference: string, command: AddMilestoneInput, actor: Actor, expectedVersion?: number): Promise<WriteResult<MilestoneView>> {
    const { notify, ...input } = command;
    const now = new Date();
    const result = await this.repository.transaction(async (tx) => {
      const locked = await this.repository.lockCurrentWorkstream(tx, workstreamReference, expectedVersion);
      const { milestone, errors } = resolveNewMilestone(input, todayUtc(now));
      if (errors.length) throw unprocessable(errors);

      const position = await this.repository.nextMilestonePosition(tx, locked.id);
      const created = await this.repository.insertMilestone(tx, { ...milestone, workstreamId: locked.id, position });
      const stamp = await this.repository.stampReview(tx, {
        workstreamId: locked.id,
        at: now,
        reviewer: actor.name,
        apiKeyId: actor.apiKeyId,
        kind: 'change',
        note: `Milestone "${created.title}" added.`,
      });
      const health = await this.recompute(tx, locked.id, now);
      await this.repository.updateWorkstreamVersioned(tx, locked.id, expectedVersion, { ...health.data, ...stamp });

      const events: Omit<NewEvent, 'actor' | 'notify'>[] = [
        {
          type: 'milestone.added',
          workstreamId: locked.id,
          milestoneId: created.id,
          to: isoDate(created.dueDate),
          reason: `"${created.title}" added, due ${isoDate(created.dueDate)}.`,
        },
      ];
      if (health.event) events.push(health.event);
      const eventIds = await this.recorder.record(tx, events.map((e) => ({ ...e, actor: actor.name, notify: notify ?? true })), now);

      const view = toMilestoneView(created);
      await this.audit.record(
        tx,
        { actor: actor.name, apiKeyId: actor.apiKeyId, action: 'milestone.add', entityType: 'milestone', entityId: created.id, after: view },
        now,
      );
      return { view, version: created.version, eventIds };
    }, SINGLE_WRITE);
    void this.dispatcher.dispatch(result.eventIds);
    return result;
  }

  /**
   * `PATCH /v1/admin/milestones/{id}`. If-Match names the milestone's version. The workstream's
   * version moves too when its health or lastProgressAt does. A patch that changes nothing writes nothing.
   */
  async patch(milestoneId: string, command: PatchMilestoneInput, actor: Actor, expectedVersion?: number): Promise<WriteResult<MilestoneView>> {
    const { notify, ...input } = command;
    const now = new Date();
    const result = await this.repository.transaction(async (tx) => {
      // Lock order, always: workstream, then milestone.
      const workstreamId = await this.repository.workstreamOfMilestone(tx, milestoneId);
      const locked = workstreamId ? await this.repository.lockWorkstream(tx, workstreamId) : null;
      const before = locked ? await this.repository.lockMilestone(tx, milestoneId) : null;
      if (!locked || !before) throw new NotFoundError('Milestone', milestoneId);
      assertCurrentVersion(expectedVersion, before.version);

      const plan = planMilestonePatch(before, input, todayUtc(now));
      if (Object.keys(plan.data).length === 0) {
        return { view: toMilestoneView(before), version: before.version, eventIds: [] };
      }
      await this.repository.updateMilestoneVersioned(tx, before.id, expectedVersion, plan.data);

      const stamp = await this.repository.stampReview(tx, {
        workstreamId: locked.id,
        at: now,
        reviewer: actor.name,
        apiKeyId: actor.apiKeyId,
        kind: 'change',
        note: input.note ?? `Milestone "${before.title}" updated.`,
        evidence: input.evidenceUrl ? [{ url: input.evidenceUrl }] : [],
      });
      const health = await this.recompute(tx, locked.id, now);
      await this.repository.updateWorkstreamVersioned(tx, locked.id, undefined, { ...health.data, ...stamp });

      // The editor's words and evidence travel with the events: alerts say what happened and why.
      const said = { note: input.note ?? null, evidenceUrl: input.evidenceUrl ?? before.evidenceUrl ?? null };
      const events: Omit<NewEvent, 'actor' | 'notify'>[] = plan.events.map((e) => ({ ...e, ...said, workstreamId: locked.id }));
      if (health.event) events.push(health.event);
      const eventIds = await this.recorder.record(tx, events.map((e) => ({ ...e, actor: actor.name, notify: notify ?? true })), now);

      const after = await this.repository.findMilestone(tx, before.id);
      const view = toMilestoneView(after);
      await this.audit.record(
        tx,
        {
          actor: actor.name,
          apiKeyId: actor.apiKeyId,
          action: 'milestone.update',
          entityType: 'milestone',
          entityId: before.id,
          before: toMilestoneView(before),
          after: view,
        },
        now,
      );
      return { view, version: after.version, eventIds };
    }, SINGLE_WRITE);
    void this.dispatcher.dispatch(result.eventIds);
    return result;
  }

  /** Health over the workstream's milestones as they now stand in this transaction. */
  private async recompute(tx: Prisma.TransactionClient, workstreamId: string, now: Date) {
    const workstream = await this.repository.loadWorkstream(tx, workstreamId);
    const milestones = await this.repository.milestonesOf(tx, [workstreamId]);
    return recomputeHealth(workstream, milestones, now, this.config.healthWindows);
  }
}
