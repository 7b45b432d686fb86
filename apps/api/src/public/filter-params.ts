import { Health, Instrument, Stage } from '@pledgewatch/database';
import { EVENT_TYPE_NAMES, EventFeedFilter } from '@pledgewatch/events';
import { WORKSTREAM_SORTS, type WorkstreamFilter } from '@pledgewatch/workstreams';
import { z } from 'zod';
import { countryList, dateOrInstant, enumList, single, slugList } from './query-params';

/**
 * The filters of the change log (`GET /v1/events`), shared by every view of it: the JSON list, the
 * Atom feed and (country, sector, workstream) the milestone calendar. One schema, so a parameter
 * means the same and fails the same way (400 naming the field) wherever it is accepted.
 */
export const EVENT_FILTER_PARAMETERS = z.strictObject({
  since: dateOrInstant().optional(),
  country: countryList().optional(),
  sector: slugList('a sector slug').optional(),
  type: enumList(EVENT_TYPE_NAMES, 'an event type').optional(),
  workstream: slugList('a workstream slug or id').optional(),
});

export function toEventFilter(p: z.output<typeof EVENT_FILTER_PARAMETERS>): Omit<EventFeedFilter, 'limit' | 'cursor'> {
  return { since: p.since, countries: p.country, sectors: p.sector, types: p.type, workstreams: p.workstream };
}

/** The filters of the workstream list (`GET /v1/workstreams`), shared with the open-data export. */
export const WORKSTREAM_FILTER_PARAMETERS = z.strictObject({
  country: countryList().optional(),
  sector: slugList('a sector slug').optional(),
  health: enumList(Object.values(Health), 'a health value').optional(),
  stage: enumList(Object.values(Stage), 'a stage').optional(),
  instrument: enumList(Object.values(Instrument), 'an instrument').optional(),
  summit: slugList('a summit slug').optional(),
  reviewDue: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only workstreams nobody reviewed within HEALTH_REVIEW_DAYS (or ever); false: only those reviewed within it'),
  q: single()
    .max(200, 'must be at most 200 characters')
    .optional()
    .describe(
      'Full-text search, ranked: words (English stemming), "a phrase", or, -word, over the title, summary, source quote, slug and country and sector names. "97-metre" also finds "97-m".',
    ),
});

/** The list's order (GET /v1/workstreams and the /workstreams page). */
export const SORT_PARAMETER = z
  .enum(WORKSTREAM_SORTS, { error: `must be one of ${WORKSTREAM_SORTS.join(', ')}` })
  .optional()
  .describe(
    'relevance (the default with q; needs q), severity (off track, at risk, stalled, unknown, on track, complete, inactive; longest in that state first), due (next open milestone soonest), changed (latest change first), title, newest (the default without q)',
  );

export function toWorkstreamFilter(p: z.output<typeof WORKSTREAM_FILTER_PARAMETERS>): Omit<WorkstreamFilter, 'limit' | 'cursor'> {
  return {
    countries: p.country,
    sectors: p.sector,
    health: p.health,
    stages: p.stage,
    instruments: p.instrument,
    summits: p.summit,
    reviewDue: p.reviewDue,
    q: p.q,
  };
}
