import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Actor, AuditRecord, AuditService } from '@pledgewatch/audit';
import { AppConfig } from '@pledgewatch/config';
import { Milestone, Prisma } from '@pledgewatch/database';
import { EventsDispatcher, EventsRecorder, NewEvent } from '@pledgewatch/events';
import { ConflictError, FieldError } from '@pledgewatch/problems';
import { evaluateHealth, progressAsOf } from '@pledgewatch/status';
import { NewMilestone, resolveNewMilestone, todayUtc } from './milestone-rules';
import type { CreateWorkstreamInput, ImportInput, NewWorkstreamInput, PatchWorkstreamInput } from './workstream-input';
import { firstFreeSlug, recomputeHealth, slugify } from './workstream-rules';
import { isoDate, toMilestoneView, toWorkstreamView, WorkstreamRow } from './workstream.view';
import { WorkstreamsRepository } from './workstreams.repository';
import { BULK_WRITE, sameJson, SINGLE_WRITE, unprocessable, WriteResult } from './write-result';

type Tx = Prisma.TransactionClient;

export type EditedWorkstreamView = ReturnType<typeof toWorkstreamView> & { milestones: ReturnType<typeof toMilestoneView>[] };

/** An editor's write is a review made now, so its answer is never review due, whatever the window. */
export function toEditedWorkstreamView(row: WorkstreamRow, milestones: Milestone[]): EditedWorkstreamView {
  return { ...toWorkstreamView(row), milestones: milestones.map(toMilestoneView) };
}

export interface ImportResult {
  created: { index: number; id: string; slug: string }[];
  workstreams: number;
  milestones: number;
  events: number;
}

interface Created {
  ids: string[];
  slugs: string[];
  milestones: number;
  eventIds: string[];
  views: EditedWorkstreamView[];
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === 'P2002';
const MAX_SLUG_RACE_RETRIES = 3;

/**
 * Editors' writes to workstreams. Each is one transaction holding the change, its events, the
 * recomputed health and the audit entry; the events are handed to the dispatcher after commit.
 */
@Injectable()
export class WorkstreamEditorService {
  constructor(
    private readonly repository: WorkstreamsRepository,
    private readonly recorder: EventsRecorder,
    private readonly dispatcher: EventsDispatcher,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** `POST /v1/admin/workstreams`. */
  async create(command: CreateWorkstreamInput, actor: Actor): Promise<WriteResult<EditedWorkstreamView>> {
    const { notify, ...input } = command;
    const created = await this.insertWithRetry([input], actor, notify ?? true, SINGLE_WRITE, 'workstream.create', () => '');
    void this.dispatcher.dispatch(created.eventIds);
    return { view: created.views[0], version: created.views[0].version, eventIds: created.eventIds };
  }

  /** `POST /v1/admin/import`: every workstream or none; problems name their index. */
  async import(command: ImportInput, actor: Actor): Promise<ImportResult & { eventIds: string[] }> {
    const { workstreams, notify } = command;
    const created = await this.insertWithRetry(workstreams, actor, notify ?? true, BULK_WRITE, 'workstream.import', (i) => `workstreams.${i}`);
    void this.dispatcher.dispatch(created.eventIds);
    return {
      created: created.ids.map((id, index) => ({ index, id, slug: created.slugs[index] })),
      workstreams: created.ids.length,
      milestones: created.milestones,
      events: created.eventIds.length,
      eventIds: created.eventIds,
    };
  }

  /** `PATCH /v1/admin/workstreams/{id|slug}`. A patch that changes nothing writes nothing. */
  async patch(reference: string, command: PatchWorkstreamInput, actor: Actor, expectedVersion?: number): Promise<WriteResult<EditedWorkstreamView>> {
    const { notify, ...input } = command;
    const now = new Date();
    const result = await this.repository.transaction(async (tx) => {
      const locked = await this.repository.lockCurrentWorkstream(tx, reference, expectedVersion);
      const before = await this.repository.loadWorkstream(tx, locked.id);
      const milestones = await this.repository.milestonesOf(tx, [locked.id]);
      const beforeView = toEditedWorkstreamView(before, milestones);

      const errors = await this.referenceErrors(tx, [{ countries: input.countries ?? [], sectors: input.sectors ?? [] }], () => '');
      if (errors.length) throw unprocessable(errors);

      const data: Prisma.WorkstreamUpdateManyMutationInput = {};
      if (input.title !== undefined && input.title !== before.title) data.title = input.title;
      if (input.summary !== undefined && input.summary !== before.summary) data.summary = input.summary;
      if (input.instrument !== undefined && input.instrument !== before.instrument) data.instrument = input.instrument;
      if (input.stage !== undefined && input.stage !== before.stage) data.stage = input.stage;
      if (input.source !== undefined && !sameJson(input.source, before.source)) {
        data.source = input.source === null ? Prisma.DbNull : input.source;
      }
      if (input.watchTerms !== undefined && !sameJson(input.watchTerms, before.watchTerms)) data.watchTerms = input.watchTerms;
      const countries = input.countries && !sameSet(input.countries, beforeView.countries) ? input.countries : undefined;
      const sectors = input.sectors && !sameSet(input.sectors, beforeView.sectors) ? input.sectors : undefined;
      if (Object.keys(data).length === 0 && !countries && !sectors) {
        return { view: beforeView, version: before.version, eventIds: [] };
      }

      const events: Omit<NewEvent, 'actor' | 'notify'>[] = [];
      if (data.stage) {
        events.push({
          type: 'workstream.stage_changed',
          workstreamId: before.id,
          from: before.stage,
          to: input.stage,
          reason: `Stage changed from ${before.stage} to ${input.stage}.`,
        });
      }
      const stamp = await this.repository.stampReview(tx, {
        workstreamId: before.id,
        at: now,
        reviewer: actor.name,
        apiKeyId: actor.apiKeyId,
        kind: 'change',
        note: data.stage ? `Stage changed to ${input.stage}.` : 'Workstream details edited.',
      });
      const health = recomputeHealth({ ...before, stage: input.stage ?? before.stage }, milestones, now, this.config.healthWindows);
      if (health.event) events.push(health.event);

      await this.repository.updateWorkstreamVersioned(tx, before.id, expectedVersion, { ...data, ...health.data, ...stamp });
      if (countries) await this.repository.replaceCountries(tx, before.id, countries);
      if (sectors) await this.repository.replaceSectors(tx, before.id, sectors);
      const eventIds = await this.recorder.record(tx, events.map((e) => ({ ...e, actor: actor.name, notify: notify ?? true })), now);

      const after = toEditedWorkstreamView(await this.repository.loadWorkstream(tx, before.id), milestones);
      await this.audit.record(
        tx,
        { actor: actor.name, apiKeyId: actor.apiKeyId, action: 'workstream.update', entityType: 'workstream', entityId: before.id, before: beforeView, after },
        now,
      );
      return { view: after, version: after.version, eventIds };
    }, SINGLE_WRITE);
    void this.dispatcher.dispatch(result.eventIds);
    return result;
  }

  /**
   * `DELETE /v1/admin/workstreams/{id|slug}`: archives. The row, its milestones and its history stay
   * (and its slug stays taken); admin and public reads answer 404 from now on.
   */
  async archive(reference: string, actor: Actor, expectedVersion?: number): Promise<void> {
    const now = new Date();
    await this.repository.transaction(async (tx) => {
      const locked = await this.repository.lockCurrentWorkstream(tx, reference, expectedVersion);
      const before = toWorkstreamView(await this.repository.loadWorkstream(tx, locked.id), this.config.healthReviewDays);
      await this.repository.updateWorkstreamVersioned(tx, locked.id, expectedVersion, { archivedAt: now });
      const after = toWorkstreamView(await this.repository.loadWorkstream(tx, locked.id), this.config.healthReviewDays);
      await this.audit.record(
        tx,
        { actor: actor.name, apiKeyId: actor.apiKeyId, action: 'workstream.archive', entityType: 'workstream', entityId: locked.id, before, after },
        now,
      );
    }, SINGLE_WRITE);
  }

  /**
   * A generated slug can lose a race with a concurrent creation of the same title (unique violation):
   * the whole transaction then runs again and picks the next free one.
   */
  private async insertWithRetry(
    inputs: NewWorkstreamInput[],
    actor: Actor,
    notify: boolean,
    limits: typeof SINGLE_WRITE,
    action: string,
    pathOf: (index: number) => string,
  ): Promise<Created> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.repository.transaction((tx) => this.insert(tx, inputs, actor, notify, action, pathOf), limits);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (inputs.every((i) => i.slug !== undefined) || attempt >= MAX_SLUG_RACE_RETRIES) {
          throw new ConflictError('slug_taken', 'A workstream with one of these slugs was created meanwhile; choose another slug.');
        }
      }
    }
  }

  private async insert(
    tx: Tx,
    inputs: NewWorkstreamInput[],
    actor: Actor,
    notify: boolean,
    action: string,
    pathOf: (index: number) => string,
  ): Promise<Created> {
    const now = new Date();
    const today = todayUtc(now);
    const at = (i: number, name: string) => (pathOf(i) ? `${pathOf(i)}.${name}` : name);

    // 1. Everything that can be wrong with the data itself, then with what it refers to: one 422 naming all.
    const errors: FieldError[] = [];
    const resolved: NewMilestone[][] = inputs.map((input, i) =>
      (input.milestones ?? []).map((m, j) => {
        const { milestone, errors: problems } = resolveNewMilestone(m, today, at(i, `milestones.${j}`));
        errors.push(...problems);
        return milestone;
      }),
    );
    const summits = await this.repository.summitIds(tx, [...new Set(inputs.map((i) => i.summit))]);
    inputs.forEach((input, i) => {
      if (!summits.has(input.summit)) {
        errors.push({ field: at(i, 'summit'), code: 'unknown_summit', message: `Unknown summit "${input.summit}".` });
      }
    });
    errors.push(...(await this.referenceErrors(tx, inputs, pathOf)));
    if (errors.length) throw unprocessable(errors);

    // 2. Slugs: an explicit one must be free; a generated one takes the first free -2, -3 …
    const explicit = inputs.map((i) => i.slug).filter((s): s is string => s !== undefined);
    const bases = inputs.map((i) => i.slug ?? slugify(i.title));
    await this.repository.lockSlugs(tx, bases);
    const taken = await this.repository.slugsInUse(tx, [...new Set(bases)]);
    const claimed = new Set<string>();
    inputs.forEach((input, i) => {
      if (input.slug === undefined) return;
      if (taken.has(input.slug) || claimed.has(input.slug)) {
        throw new ConflictError('slug_taken', `The slug "${input.slug}" is already taken.`, { field: at(i, 'slug'), slug: input.slug });
      }
      claimed.add(input.slug);
    });
    const unavailable = new Set([...taken, ...explicit]);
    const slugs = inputs.map((input, i) => {
      if (input.slug !== undefined) return input.slug;
      const slug = firstFreeSlug(bases[i], unavailable);
      unavailable.add(slug);
      return slug;
    });

    // 3. Rows, health as of now, events: set-based, one statement per table.
    const ids = inputs.map(() => randomUUID());
    const workstreams: Prisma.WorkstreamCreateManyInput[] = [];
    const milestones: Prisma.MilestoneCreateManyInput[] = [];
    const events: NewEvent[] = [];
    inputs.forEach((input, i) => {
      const id = ids[i];
      // Creating a workstream is its first look: a review made now.
      const verdict = evaluateHealth({ stage: input.stage, createdAt: now, reviews: [now] }, resolved[i], now, this.config.healthWindows);
      const progress = progressAsOf(resolved[i], now);
      workstreams.push({
        id,
        slug: slugs[i],
        title: input.title,
        summary: input.summary,
        summitId: summits.get(input.summit)!,
        instrument: input.instrument,
        stage: input.stage,
        health: verdict.health,
        healthReason: verdict.reason,
        healthKey: verdict.key,
        healthSince: now,
        lastProgressAt: progress?.on ?? null,
        lastReviewedAt: now,
        lastReviewedBy: actor.name,
        lastReviewNote: 'Workstream created.',
        source: input.source ?? Prisma.DbNull,
        watchTerms: input.watchTerms ?? [],
        createdAt: now,
      });
      // The created event carries the initial health; there is no health_changed on creation.
      events.push({
        type: 'workstream.created',
        workstreamId: id,
        to: verdict.health,
        reason: `Workstream created; health ${verdict.health}: ${verdict.reason}`,
        actor: actor.name,
        notify,
      });
      resolved[i].forEach((m, j) => {
        const milestoneId = randomUUID();
        milestones.push({ id: milestoneId, workstreamId: id, position: j + 1, createdAt: now, ...m });
        events.push({
          type: 'milestone.added',
          workstreamId: id,
          milestoneId,
          to: isoDate(m.dueDate),
          reason: `"${m.title}" added, due ${isoDate(m.dueDate)}.`,
          actor: actor.name,
          notify,
        });
      });
    });
    await this.repository.insertWorkstreams(tx, {
      workstreams,
      countries: inputs.flatMap((input, i) => input.countries.map((countryCode) => ({ workstreamId: ids[i], countryCode }))),
      sectors: inputs.flatMap((input, i) => input.sectors.map((sectorSlug) => ({ workstreamId: ids[i], sectorSlug }))),
      milestones,
    });
    await this.repository.insertReviews(
      tx,
      ids.map((workstreamId) => ({ workstreamId, at: now, reviewer: actor.name, apiKeyId: actor.apiKeyId, kind: 'change', note: 'Workstream created.' })),
    );
    const eventIds = await this.recorder.record(tx, events, now);

    // 4. The audit trail holds each workstream as created.
    const rows = new Map((await this.repository.loadWorkstreams(tx, ids)).map((r) => [r.id, r]));
    const milestoneRows = await this.repository.milestonesOf(tx, ids);
    const views = ids.map((id) => toEditedWorkstreamView(rows.get(id)!, milestoneRows.filter((m) => m.workstreamId === id)));
    const records: AuditRecord[] = views.map((view) => ({
      actor: actor.name,
      apiKeyId: actor.apiKeyId,
      action,
      entityType: 'workstream',
      entityId: view.id,
      after: view,
    }));
    await this.audit.recordMany(tx, records, now);
    return { ids, slugs, milestones: milestones.length, eventIds, views };
  }

  /** Unknown countries and sectors, one field error per value, with its position. */
  private async referenceErrors(
    tx: Tx,
    inputs: { countries: string[]; sectors: string[] }[],
    pathOf: (index: number) => string,
  ): Promise<FieldError[]> {
    const at = (i: number, name: string) => (pathOf(i) ? `${pathOf(i)}.${name}` : name);
    const allCountries = [...new Set(inputs.flatMap((i) => i.countries))];
    const allSectors = [...new Set(inputs.flatMap((i) => i.sectors))];
    const countries = allCountries.length ? await this.repository.existingCountries(tx, allCountries) : new Set<string>();
    const sectors = allSectors.length ? await this.repository.existingSectors(tx, allSectors) : new Set<string>();
    const errors: FieldError[] = [];
    inputs.forEach((input, i) => {
      input.countries.forEach((code, j) => {
        if (!countries.has(code)) errors.push({ field: at(i, `countries.${j}`), code: 'unknown_country', message: `Unknown country "${code}".` });
      });
      input.sectors.forEach((slug, j) => {
        if (!sectors.has(slug)) errors.push({ field: at(i, `sectors.${j}`), code: 'unknown_sector', message: `Unknown sector "${slug}".` });
      });
    });
    return errors;
  }
}
