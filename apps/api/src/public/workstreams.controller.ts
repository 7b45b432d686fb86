import { Controller, Get, Param, Query } from '@nestjs/common';
import { Health, Stage } from '@pledgewatch/database';
import { parse } from '@pledgewatch/problems';
import { CheckRunsService, HealthHistoryService } from '@pledgewatch/status';
import { WorkstreamsQuery } from '@pledgewatch/workstreams';
import { z } from 'zod';
import { calendarDayParam, countryList, cursor, enumList, limit, single, slugList } from './query-params';

const LIST_PARAMETERS = z.strictObject({
  country: countryList().optional(),
  sector: slugList('a sector slug').optional(),
  health: enumList(Object.values(Health), 'a health value').optional(),
  stage: enumList(Object.values(Stage), 'a stage').optional(),
  summit: slugList('a summit slug').optional(),
  q: single().max(200, 'must be at most 200 characters').optional(),
  limit: limit(),
  cursor: cursor().optional(),
});

const DETAIL_PARAMETERS = z.strictObject({
  asOf: calendarDayParam().optional(),
});

@Controller('v1/workstreams')
export class WorkstreamsController {
  constructor(
    private readonly workstreams: WorkstreamsQuery,
    private readonly history: HealthHistoryService,
    private readonly checks: CheckRunsService,
  ) {}

  @Get()
  async list(@Query() query: unknown) {
    const p = parse(LIST_PARAMETERS, query, 'The query has invalid parameters.');
    const page = await this.workstreams.list({
      countries: p.country,
      sectors: p.sector,
      health: p.health,
      stages: p.stage,
      summits: p.summit,
      q: p.q,
      limit: p.limit,
      cursor: p.cursor,
    });
    return { ...page, items: await this.checks.withLastChecked(page.items) };
  }

  /**
   * `slug` also accepts the workstream's id. `?asOf=YYYY-MM-DD` answers health, healthReason and
   * healthSince as of the end of that day, from the history (healthSource says which way).
   */
  @Get(':slug')
  async get(@Param('slug') slug: string, @Query() query: unknown) {
    const { asOf } = parse(DETAIL_PARAMETERS, query, 'The query has invalid parameters.');
    const [view] = await this.checks.withLastChecked([await this.workstreams.get(slug)]);
    return asOf ? { ...view, ...(await this.history.healthAsOf(view.id, asOf)) } : view;
  }
}
