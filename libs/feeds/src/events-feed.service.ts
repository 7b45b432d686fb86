import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { isoDay } from '@pledgewatch/dates';
import { EventFeedFilter, EventsQuery, eventTypeName } from '@pledgewatch/events';
import { renderAtomFeed } from './atom-feed';
import { entityTag, Validators } from './conditional';

/** The newest this many events; `since` narrows further. */
export const ATOM_ENTRIES = 100;

export type EventsFeedFilter = Omit<EventFeedFilter, 'limit' | 'cursor'>;

export interface AtomDocument extends Validators {
  body: string;
}

/** `GET /v1/feeds/events.atom`: the public change log (EventsQuery, the same filters) as Atom. */
@Injectable()
export class EventsFeedService {
  constructor(
    private readonly events: EventsQuery,
    private readonly config: AppConfig,
  ) {}

  /** `query` is the request's own query string (`?…` or ''), for the self link. */
  async atom(filter: EventsFeedFilter, query: string): Promise<AtomDocument> {
    const base = this.config.publicBaseUrl;
    const page = await this.events.feed({ ...filter, limit: ATOM_ENTRIES });
    const body = renderAtomFeed({
      publicBaseUrl: base,
      selfUrl: `${base}/v1/feeds/events.atom${query}`,
      alternateUrl: `${base}/changes${query}`,
      title: feedTitle('Pledgewatch changes', filter),
      events: page.items.map((row) => ({
        id: row.id,
        type: eventTypeName(row.type),
        from: row.from,
        to: row.to,
        reason: row.reason,
        actor: row.actor,
        note: row.note,
        evidenceUrl: row.evidenceUrl,
        occurredAt: row.occurredAt,
        workstream: row.workstream,
        milestone: row.milestone && {
          ...row.milestone,
          dueDate: isoDay(row.milestone.dueDate),
          actualStart: row.milestone.actualStart && isoDay(row.milestone.actualStart),
          completedOn: row.milestone.completedOn && isoDay(row.milestone.completedOn),
        },
      })),
    });
    // The body is a function of the events shown: hashing it makes the ETag exact.
    return { body, etag: entityTag(body), lastModified: page.items[0]?.occurredAt ?? null };
  }
}

/** `Pledgewatch changes: PH · maritime-security`. */
export function feedTitle(name: string, filter: { countries?: string[]; sectors?: string[]; workstreams?: string[]; types?: string[] }): string {
  const parts = [filter.countries, filter.sectors, filter.workstreams, filter.types].filter((list) => list?.length).map((list) => list!.join(', '));
  return parts.length ? `${name}: ${parts.join(' · ')}` : name;
}
