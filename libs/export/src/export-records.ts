import type { Milestone } from '@pledgewatch/database';
import { isoDate, WorkstreamView } from '@pledgewatch/workstreams';

/**
 * The rows of the open-data export. CSV cells are plain strings (lists joined with `;`, dates
 * `YYYY-MM-DD`, instants ISO 8601 UTC, empty for none); tracker.json items are exactly
 * `POST /v1/admin/import`'s workstream items.
 */

export const LIST_SEPARATOR = ';';

interface StoredSource {
  quote?: unknown;
  kind?: unknown;
  title?: unknown;
  url?: unknown;
  publisher?: unknown;
  date?: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const WORKSTREAM_COLUMNS = [
  'id', 'slug', 'title', 'summary', 'summit', 'countries', 'sectors', 'instrument', 'stage', 'health',
  'healthReason', 'healthSince', 'lastProgressAt', 'lastReviewedAt', 'lastReviewedBy', 'reviewDue', 'sourceQuote',
  'sourceKind', 'sourceTitle', 'sourceUrl', 'sourcePublisher', 'sourceDate', 'watchTerms', 'version', 'createdAt', 'updatedAt',
] as const;

export function workstreamRecord(ws: WorkstreamView): Record<(typeof WORKSTREAM_COLUMNS)[number], string> {
  const source = (ws.source ?? {}) as StoredSource;
  return {
    id: ws.id,
    slug: ws.slug,
    title: ws.title,
    summary: ws.summary,
    summit: ws.summit,
    countries: ws.countries.join(LIST_SEPARATOR),
    sectors: ws.sectors.join(LIST_SEPARATOR),
    instrument: ws.instrument,
    stage: ws.stage,
    health: ws.health,
    healthReason: ws.healthReason,
    healthSince: ws.healthSince,
    lastProgressAt: ws.lastProgressAt ?? '',
    lastReviewedAt: ws.lastReviewedAt ?? '',
    lastReviewedBy: ws.lastReviewedBy ?? '',
    reviewDue: String(ws.reviewDue),
    sourceQuote: text(source.quote) ?? '',
    sourceKind: text(source.kind) ?? '',
    sourceTitle: text(source.title) ?? '',
    sourceUrl: text(source.url) ?? '',
    sourcePublisher: text(source.publisher) ?? '',
    sourceDate: text(source.date) ?? '',
    watchTerms: ws.watchTerms.join(LIST_SEPARATOR),
    version: String(ws.version),
    createdAt: ws.createdAt,
    updatedAt: ws.updatedAt,
  };
}

export const MILESTONE_COLUMNS = [
  'id', 'workstreamId', 'workstreamSlug', 'workstreamTitle', 'position', 'title', 'plannedStart', 'dueDate',
  'datePrecision', 'dateBasis', 'actualStart', 'actualStartPrecision', 'completedOn', 'completedOnPrecision', 'status',
  'evidenceUrl', 'note', 'version',
] as const;

export function milestoneRecord(ws: WorkstreamView, m: Milestone): Record<(typeof MILESTONE_COLUMNS)[number], string> {
  return {
    id: m.id,
    workstreamId: ws.id,
    workstreamSlug: ws.slug,
    workstreamTitle: ws.title,
    position: String(m.position),
    title: m.title,
    plannedStart: isoDate(m.plannedStart) ?? '',
    dueDate: isoDate(m.dueDate) ?? '',
    datePrecision: m.datePrecision,
    dateBasis: m.dateBasis,
    actualStart: isoDate(m.actualStart) ?? '',
    // A precision says how much of its date is known: empty where there is no date.
    actualStartPrecision: m.actualStart ? m.actualStartPrecision : '',
    completedOn: isoDate(m.completedOn) ?? '',
    completedOnPrecision: m.completedOn ? m.completedOnPrecision : '',
    status: m.status,
    evidenceUrl: m.evidenceUrl ?? '',
    note: m.note ?? '',
    version: String(m.version),
  };
}

/** The import schema's source: only its fields, absent ones left out. */
function importSource(stored: unknown): Record<string, string | null> | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const s = stored as StoredSource;
  const quote = text(s.quote);
  const title = text(s.title);
  if (!quote || !title) return undefined;
  const source: Record<string, string | null> = { quote, title };
  const kind = text(s.kind);
  if (kind === 'summit' || kind === 'context') source.kind = kind;
  for (const field of ['url', 'publisher', 'date'] as const) {
    const value = text(s[field]);
    if (value !== undefined) source[field] = value;
  }
  if (s.date === null) source.date = null;
  return source;
}

/** A JSON-ready import item: what `POST /v1/admin/import` takes, so an export imports as it is. */
export function trackerItem(ws: WorkstreamView, milestones: Milestone[]) {
  const source = importSource(ws.source);
  return {
    slug: ws.slug,
    title: ws.title,
    summary: ws.summary,
    summit: ws.summit,
    countries: ws.countries,
    sectors: ws.sectors,
    instrument: ws.instrument,
    stage: ws.stage,
    ...(source && { source }),
    watchTerms: ws.watchTerms,
    // The editors' last look at the sources (an instant, ISO 8601 UTC), when there was one.
    ...(ws.lastReviewedAt && { lastReviewedAt: ws.lastReviewedAt }),
    milestones: milestones.map((m) => ({
      title: m.title,
      dueDate: isoDate(m.dueDate),
      datePrecision: m.datePrecision,
      ...(m.plannedStart && { plannedStart: isoDate(m.plannedStart) }),
      ...(m.actualStart && { actualStart: isoDate(m.actualStart), actualStartPrecision: m.actualStartPrecision }),
      ...(m.completedOn && { completedOn: isoDate(m.completedOn), completedOnPrecision: m.completedOnPrecision }),
      // `overdue` is the scheduled check's to set, and the import refuses it: the milestone goes
      // back as open, and the next check flags it overdue again.
      status: m.status === 'overdue' ? (m.actualStart ? 'in_progress' : 'not_started') : m.status,
      dateBasis: m.dateBasis,
      ...(m.evidenceUrl && { evidenceUrl: m.evidenceUrl }),
      ...(m.note && { note: m.note }),
    })),
  };
}
