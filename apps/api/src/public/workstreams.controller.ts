import { Controller, Get, Param, Query } from '@nestjs/common';
import { Health, Stage } from '@pledgewatch/database';
import { parse } from '@pledgewatch/problems';
import { WorkstreamsQuery } from '@pledgewatch/workstreams';
import { z } from 'zod';
import { countryList, cursor, enumList, limit, NO_PARAMETERS, single, slugList } from './query-params';

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

@Controller('v1/workstreams')
export class WorkstreamsController {
  constructor(private readonly workstreams: WorkstreamsQuery) {}

  @Get()
  list(@Query() query: unknown) {
    const p = parse(LIST_PARAMETERS, query, 'The query has invalid parameters.');
    return this.workstreams.list({
      countries: p.country,
      sectors: p.sector,
      health: p.health,
      stages: p.stage,
      summits: p.summit,
      q: p.q,
      limit: p.limit,
      cursor: p.cursor,
    });
  }

  /** `slug` also accepts the workstream's id. */
  @Get(':slug')
  get(@Param('slug') slug: string, @Query() query: unknown) {
    parse(NO_PARAMETERS, query);
    return this.workstreams.get(slug);
  }
}
