import { Controller, Get, Query, UseInterceptors } from '@nestjs/common';
import { EventsQuery, FeedEventRow } from '@pledgewatch/events';
import { parse } from '@pledgewatch/problems';
import { toEventView } from '@pledgewatch/workstreams';
import { EVENT_FILTER_PARAMETERS, toEventFilter } from './filter-params';
import { cursor, limit } from './query-params';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiProblems, ApiQueryOf } from '../http/openapi.decorators';
import { EventPage } from '../http/response-schemas';
import { PublicReadCacheInterceptor } from './public-read-cache';

const FEED_PARAMETERS = EVENT_FILTER_PARAMETERS.extend({ limit: limit(), cursor: cursor().optional() });

/** The shared event view, plus what a reader of the feed needs to name and link the workstream. */
const toFeedEventView = (row: FeedEventRow) => ({
  ...toEventView(row),
  workstream: { slug: row.workstream.slug, title: row.workstream.title },
});

@ApiTags('events')
@UseInterceptors(PublicReadCacheInterceptor)
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsQuery) {}

  @ApiOperation({ summary: 'The change log, newest first, filtered and keyset-paginated' })
  @ApiQueryOf(FEED_PARAMETERS)
  @ApiAnswer(200, EventPage)
  @ApiProblems(400)
  @Get()
  async feed(@Query() query: unknown) {
    const p = parse(FEED_PARAMETERS, query, 'The query has invalid parameters.');
    const page = await this.events.feed({ ...toEventFilter(p), limit: p.limit, cursor: p.cursor });
    return { items: page.items.map(toFeedEventView), nextCursor: page.nextCursor };
  }
}
