import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EventsFeedService, MilestonesCalendarService } from '@pledgewatch/feeds';
import { parse } from '@pledgewatch/problems';
import { EVENT_FILTER_PARAMETERS, toEventFilter } from '../public/filter-params';
import { notModified, queryStringOf, sendStream } from './http-streams';

/** Milestones have no type and no occurrence: the calendar takes the change log's topic filters. */
const CALENDAR_PARAMETERS = EVENT_FILTER_PARAMETERS.pick({ country: true, sector: true, workstream: true });

/** Public feeds of the change log and the milestone calendar, for feed readers and calendar apps. */
@Controller('v1/feeds')
export class FeedsController {
  constructor(
    private readonly events: EventsFeedService,
    private readonly calendar: MilestonesCalendarService,
  ) {}

  /** Atom (RFC 4287): the newest 100 events matching the `/v1/events` filters. */
  @Get('events.atom')
  async atom(@Query() query: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const p = parse(EVENT_FILTER_PARAMETERS, query, 'The query has invalid parameters.');
    const feed = await this.events.atom(toEventFilter(p), queryStringOf(req));
    if (notModified(req, res, feed, 'application/atom+xml; charset=utf-8')) return;
    res.send(feed.body);
  }

  /** iCalendar (RFC 5545): one all-day VEVENT per milestone, on its due date. */
  @Get('milestones.ics')
  async milestones(@Query() query: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const p = parse(CALENDAR_PARAMETERS, query, 'The query has invalid parameters.');
    const calendar = await this.calendar.calendar({ countries: p.country, sectors: p.sector, workstreams: p.workstream }, queryStringOf(req));
    if (notModified(req, res, calendar, 'text/calendar; charset=utf-8')) return;
    res.setHeader('Content-Disposition', 'inline; filename="milestones.ics"');
    await sendStream(res, calendar.open());
  }
}
