import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { feedLinks } from '@pledgewatch/feeds';
import { parse } from '@pledgewatch/problems';
import { CheckRunsService, HealthHistoryService } from '@pledgewatch/status';
import { WorkstreamsQuery } from '@pledgewatch/workstreams';
import { z } from 'zod';
import { SORT_PARAMETER, toWorkstreamFilter, WORKSTREAM_FILTER_PARAMETERS } from './filter-params';
import { calendarDayParam, cursor, limit } from './query-params';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiProblems, ApiQueryOf } from '../http/openapi.decorators';
import { WorkstreamDetail, WorkstreamPage } from '../http/response-schemas';
import { PublicReadCacheInterceptor } from './public-read-cache';

const LIST_PARAMETERS = WORKSTREAM_FILTER_PARAMETERS.extend({ sort: SORT_PARAMETER, limit: limit(), cursor: cursor().optional() });

const DETAIL_PARAMETERS = z.strictObject({
  asOf: calendarDayParam().optional(),
});

@ApiTags('workstreams')
@UseInterceptors(PublicReadCacheInterceptor)
@Controller('v1/workstreams')
export class WorkstreamsController {
  constructor(
    private readonly workstreams: WorkstreamsQuery,
    private readonly history: HealthHistoryService,
    private readonly checks: CheckRunsService,
    private readonly config: AppConfig,
  ) {}

  /** The workstream's own Atom feed and milestone calendar. */
  private withFeeds<T extends { slug: string }>(view: T): T & { feeds: ReturnType<typeof feedLinks> } {
    return { ...view, feeds: feedLinks(this.config.publicBaseUrl, { workstream: [view.slug] }) };
  }

  @ApiOperation({ summary: 'Workstreams: searched (q, ranked), filtered, sorted and keyset-paginated; newest first by default' })
  @ApiQueryOf(LIST_PARAMETERS)
  @ApiAnswer(200, WorkstreamPage)
  @ApiProblems(400)
  @Get()
  async list(@Query() query: unknown) {
    const p = parse(LIST_PARAMETERS, query, 'The query has invalid parameters.');
    const page = await this.workstreams.list({ ...toWorkstreamFilter(p), sort: p.sort, limit: p.limit, cursor: p.cursor });
    return { ...page, items: (await this.checks.withLastChecked(page.items)).map((item) => this.withFeeds(item)) };
  }

  /**
   * `slug` also accepts the workstream's id. `?asOf=YYYY-MM-DD` answers health, healthReason and
   * healthSince as of the end of that day, from the history (healthSource says which way).
   */
  @ApiOperation({ summary: 'One workstream with its milestones and history; ?asOf= for health as of a day' })
  @ApiParam({ name: 'slug', description: 'The slug or the id', example: 'official-security-assistance-philippines' })
  @ApiQueryOf(DETAIL_PARAMETERS)
  @ApiAnswer(200, WorkstreamDetail)
  @ApiResponse({
    status: 303,
    description: 'A browser (Accept preferring text/html to JSON) is sent to the workstream page, /workstreams/{slug}, ?asOf= carried over.',
    headers: { Location: { description: 'The workstream page', schema: { type: 'string' } } },
  })
  @ApiProblems(400, 404)
  @Get(':slug')
  async get(@Param('slug') slug: string, @Query() query: unknown) {
    const { asOf } = parse(DETAIL_PARAMETERS, query, 'The query has invalid parameters.');
    const [view] = (await this.checks.withLastChecked([await this.workstreams.get(slug)])).map((item) => this.withFeeds(item));
    return asOf ? { ...view, ...(await this.history.healthAsOf(view.id, asOf)) } : view;
  }
}
