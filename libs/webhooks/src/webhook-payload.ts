import { eventTypeName, EventTypeName } from '@pledgewatch/events';
import { feedLinks } from '@pledgewatch/feeds';
import type { PayloadEventRow } from './webhook-endpoints.repository';

const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The JSON body of a webhook, in the Standard Webhooks envelope (`type`, `timestamp`, `data`): the
 * event, with its workstream's slug and title, countries, sectors, and links to the workstream's
 * page, its API resource and its feeds. Built from the database at send time; an event never
 * changes, so every attempt at a delivery carries the same event.
 */
export interface WebhookPayload {
  type: EventTypeName;
  timestamp: string;
  data: {
    id: string;
    type: EventTypeName;
    occurredAt: string;
    from: string | null;
    to: string | null;
    reason: string;
    workstream: { id: string; slug: string; title: string; health: string; healthReason: string; stage: string };
    milestone: { id: string; title: string; dueDate: string; dateBasis: string; status: string; evidenceUrl: string | null } | null;
    countries: { code: string; name: string }[];
    sectors: { slug: string; name: string }[];
    links: { workstream: string; api: string; atom: string; calendar: string };
  };
}

export function webhookPayload(event: PayloadEventRow, publicBaseUrl: string): WebhookPayload {
  const type = eventTypeName(event.type);
  const w = event.workstream;
  const feeds = feedLinks(publicBaseUrl, { workstream: [w.slug] });
  return {
    type,
    timestamp: event.occurredAt.toISOString(),
    data: {
      id: event.id,
      type,
      occurredAt: event.occurredAt.toISOString(),
      from: event.from,
      to: event.to,
      reason: event.reason,
      workstream: { id: w.id, slug: w.slug, title: w.title, health: w.health, healthReason: w.healthReason, stage: w.stage },
      milestone: event.milestone
        ? {
            id: event.milestone.id,
            title: event.milestone.title,
            dueDate: day(event.milestone.dueDate),
            dateBasis: event.milestone.dateBasis,
            status: event.milestone.status,
            evidenceUrl: event.milestone.evidenceUrl,
          }
        : null,
      countries: w.countries.map(({ country }) => country),
      sectors: w.sectors.map(({ sector }) => sector),
      links: {
        workstream: `${publicBaseUrl}/workstreams/${encodeURIComponent(w.slug)}`,
        api: `${publicBaseUrl}/v1/workstreams/${encodeURIComponent(w.slug)}`,
        atom: feeds.atom,
        calendar: feeds.calendar,
      },
    },
  };
}
