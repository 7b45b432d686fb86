import { Controller, Get, Query } from '@nestjs/common';
import { EVENT_TYPE_NAMES, EventsQuery, FeedEventRow } from '@pledgewatch/events';
import { parse } from '@pledgewatch/problems';
import { toEventView } from '@pledgewatch/workstreams';
import { z } from 'zod';
import { countryList, cursor, dateOrInstant, enumList, limit, slugList } from './query-params';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiProblems, ApiQueryOf } from '../http/openapi.decorators';
import { EventPage } from '../http/response-schemas';

const FEED_PARAMETERS = z.strictObject({
  since: dateOrInstant().optional(),
  country: countryList().optional(),
  sector: slugList('a sector slug').optional(),
  type: enumList(EVENT_TYPE_NAMES, 'an event type').optional(),
  workstream: slugList('a workstream slug').optional(),
  limit: limit(),
  cursor: cursor().optional(),
});

/** The shared event view, plus what a reader of the feed needs to name and link the workstream. */
const toFeedEventView = (row: FeedEventRow) => ({
  ...toEventView(row),
  workstream: { slug: row.workstream.slug, title: row.workstream.title },
});

@ApiTags('events')
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
    const page = await this.events.feed({
      since: p.since,
      countries: p.country,
      sectors: p.sector,
      types: p.type,
      workstreams: p.workstream,
      limit: p.limit,
      cursor: p.cursor,
    });
    return { items: page.items.map(toFeedEventView), nextCursor: page.nextCursor };
  }
}
