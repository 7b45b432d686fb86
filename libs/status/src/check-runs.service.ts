import { Injectable } from '@nestjs/common';
import { CheckRunsRepository } from './check-runs.repository';

interface CheckedView {
  createdAt: string;
  lastCheckedAt: string | null;
}

/**
 * When workstreams were last checked. The check records one StatusCheckRun per run instead of
 * touching lastCheckedAt on every workstream each hour; a view's lastCheckedAt is the latest run's
 * instant for every workstream that existed by then (the check covers all open workstreams).
 */
@Injectable()
export class CheckRunsService {
  constructor(private readonly repository: CheckRunsRepository) {}

  latest(): Promise<{ asOf: Date; finishedAt: Date } | null> {
    return this.repository.latest();
  }

  findBySlot(slot: string) {
    return this.repository.findBySlot(slot);
  }

  async withLastChecked<T extends CheckedView>(views: T[]): Promise<T[]> {
    if (views.length === 0) return views;
    const run = await this.latest();
    if (!run) return views;
    return views.map((view) =>
      new Date(view.createdAt) <= run.asOf ? { ...view, lastCheckedAt: run.asOf.toISOString() } : view,
    );
  }
}
