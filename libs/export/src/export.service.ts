import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { Milestone } from '@pledgewatch/database';
import { WorkstreamFilter, WorkstreamsQuery, WorkstreamView } from '@pledgewatch/workstreams';
import { csvRows as csv } from './csv';
import { MILESTONE_COLUMNS, milestoneRecord, trackerItem, WORKSTREAM_COLUMNS, workstreamRecord } from './export-records';
import { ExportRepository } from './export.repository';

export type ExportFilter = Omit<WorkstreamFilter, 'limit' | 'cursor'>;

/** Workstreams per batch: the list's own keyset pages, so memory holds one batch, not the tracker. */
export const EXPORT_BATCH = 200;

/**
 * The open-data export, streamed: each format walks the public workstream list (the same filters
 * and the same rows as `GET /v1/workstreams`) a keyset batch at a time and writes it out before
 * reading the next. The first batch is read before anything is sent, so a database that is down
 * still answers a problem+json error rather than a broken download.
 */
@Injectable()
export class ExportService {
  constructor(
    private readonly workstreams: WorkstreamsQuery,
    private readonly repository: ExportRepository,
  ) {}

  /** RFC 4180: one header row, CRLF, quoted where needed (any line break); formulas neutralised line by line (csv.ts). */
  workstreamsCsv(filter: ExportFilter): Promise<Readable> {
    return this.stream(filter, false, function* (batch, first) {
      yield csv(batch.workstreams.map(workstreamRecord), WORKSTREAM_COLUMNS, first);
    });
  }

  milestonesCsv(filter: ExportFilter): Promise<Readable> {
    return this.stream(filter, true, function* (batch, first) {
      const records = batch.workstreams.flatMap((ws) => (batch.milestones.get(ws.id) ?? []).map((m) => milestoneRecord(ws, m)));
      // The header row goes out even when the first batches hold no milestone.
      if (records.length || first) yield csv(records, MILESTONE_COLUMNS, first);
    });
  }

  /** `{ "notify": false, "workstreams": [ … ] }`: POST it to /v1/admin/import as it is (500 items a request). */
  trackerJson(filter: ExportFilter): Promise<Readable> {
    return this.stream(
      filter,
      true,
      function* (batch, first) {
        const items = batch.workstreams.map((ws) => JSON.stringify(trackerItem(ws, batch.milestones.get(ws.id) ?? [])));
        if (items.length) yield `${first ? '{"notify":false,"workstreams":[\n' : ',\n'}${items.join(',\n')}`;
        else if (first) yield '{"notify":false,"workstreams":[';
      },
      '\n]}\n',
    );
  }

  private async stream(
    filter: ExportFilter,
    withMilestones: boolean,
    write: (batch: Batch, first: boolean) => Iterable<string>,
    end = '',
  ): Promise<Readable> {
    const batches = this.batches(filter, withMilestones);
    const first = await batches.next();
    return Readable.from(
      (async function* () {
        if (!first.done) {
          yield* write(first.value, true);
          for await (const batch of batches) yield* write(batch, false);
        }
        if (end) yield end;
      })(),
      { objectMode: false },
    );
  }

  private async *batches(filter: ExportFilter, withMilestones: boolean): AsyncGenerator<Batch> {
    let cursor: string | undefined;
    do {
      const page = await this.workstreams.list({ ...filter, limit: EXPORT_BATCH, cursor });
      const milestones = withMilestones && page.items.length ? await this.repository.milestonesOf(page.items.map((ws) => ws.id)) : new Map<string, Milestone[]>();
      yield { workstreams: page.items, milestones };
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
}

interface Batch {
  workstreams: WorkstreamView[];
  milestones: Map<string, Milestone[]>;
}
