import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { AppConfig } from '@pledgewatch/config';
import { entityTag, Validators } from './conditional';
import { feedTitle } from './events-feed.service';
import { calendarEventOf, StreamedCalendar } from './milestone-calendar';
import { MilestoneFeedFilter, MilestonesCalendarRepository } from './milestones-calendar.repository';

/** Milestones per query while streaming: memory stays flat however large the tracker. */
export const CALENDAR_BATCH = 1000;
/** Changes the ETag of every calendar when what a VEVENT says changes shape. */
const CALENDAR_FORMAT = 'ics-1';

export interface CalendarDocument extends Validators {
  /** Not started until read: a 304 reads nothing. */
  open(): Readable;
}

/** `GET /v1/feeds/milestones.ics`: one all-day VEVENT per milestone of the matching workstreams. */
@Injectable()
export class MilestonesCalendarService {
  constructor(
    private readonly milestones: MilestonesCalendarRepository,
    private readonly config: AppConfig,
  ) {}

  /** `query` is the request's own query string (`?…` or ''), for the calendar's URL. */
  async calendar(filter: MilestoneFeedFilter, query: string): Promise<CalendarDocument> {
    const base = this.config.publicBaseUrl;
    const host = new URL(base).hostname;
    const selfUrl = `${base}/v1/feeds/milestones.ics${query}`;
    const { count, revisedAt } = await this.milestones.fingerprint(filter);
    // Every milestone change moves its updatedAt, every workstream rename its own; an archived or
    // re-tagged workstream changes the count. The rendering is a function of those rows.
    const etag = entityTag(CALENDAR_FORMAT, base, selfUrl, String(count), revisedAt?.toISOString() ?? '');
    const repository = this.milestones;
    const open = () =>
      Readable.from(
        (async function* () {
          const calendar = new StreamedCalendar({ name: feedTitle('Pledgewatch milestones', filter), selfUrl, ttlSeconds: 3600 });
          yield calendar.head();
          let after: string | null = null;
          for (;;) {
            const batch = await repository.batch(filter, after, CALENDAR_BATCH);
            if (batch.length) yield calendar.events(batch.map((m) => calendarEventOf(m, base, host)));
            if (batch.length < CALENDAR_BATCH) break;
            after = batch[batch.length - 1].id;
          }
          yield calendar.tail();
        })(),
        { objectMode: false },
      );
    return { etag, lastModified: revisedAt, open };
  }
}
