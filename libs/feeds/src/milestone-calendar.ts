import ical, { ICalCalendar, ICalEventData, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { DateBasis, MilestoneStatus } from '@pledgewatch/database';
import { humanDateAt, isoDay } from '@pledgewatch/dates';
import { humanValue, safeHttpUrl } from '@pledgewatch/mail';
import { workstreamUrl } from './atom-feed';
import type { CalendarMilestone } from './milestones-calendar.repository';

/** Every feed that shows a date says where it comes from (sourced, planned or assumed). */
const DATE_BASIS: Record<DateBasis, string> = {
  sourced: 'sourced (a dated fact, with its source)',
  planned: 'planned (a date its owner announced)',
  assumed: "a planning assumption (the editors' estimate; no date was announced)",
};

/** The state a summary shows in front, where a narrow calendar cell still has room for it. */
const MARKERS: Partial<Record<MilestoneStatus, string>> = {
  completed: '[Completed] ',
  overdue: '[Overdue] ',
  cancelled: '[Cancelled] ',
  deferred: '[Deferred] ',
};

const DAY_MS = 86_400_000;

const PRECISION_WORDS = { month: 'the month', quarter: 'the quarter', year: 'the year' } as const;

/**
 * One all-day event on the due date. A date known only to the month, quarter or year is stored as
 * the period's last day (when it falls due): the event sits on that day, and its summary and
 * description say the period ("due March 2028"), so no calendar shows an invented day as a deadline.
 */
export function calendarEventOf(m: CalendarMilestone, publicBaseUrl: string, host: string): ICalEventData {
  const url = workstreamUrl(publicBaseUrl, m.workstreamSlug);
  const evidence = safeHttpUrl(m.evidenceUrl);
  const due = humanDateAt(isoDay(m.dueDate), m.datePrecision);
  const partial = m.datePrecision !== 'day';
  const description = [
    partial
      ? `Due ${due} (known to ${PRECISION_WORDS[m.datePrecision as keyof typeof PRECISION_WORDS]}; shown on its last day). Date basis: ${DATE_BASIS[m.dateBasis]}.`
      : `Due ${due}. Date basis: ${DATE_BASIS[m.dateBasis]}.`,
    `Status: ${humanValue(m.status)}.`,
    ...(m.note ? [m.note] : []),
    ...(evidence ? [`Evidence: ${evidence}`] : []),
    `Workstream: ${m.workstreamTitle} — ${url}`,
  ].join('\n');
  return {
    // The milestone's id never changes, so neither does its UID; its version rises with every
    // change of due date or status (editors' and the scheduled check's), which SEQUENCE needs.
    id: `${m.id}@${host}`,
    sequence: m.version,
    stamp: m.revisedAt,
    start: m.dueDate,
    end: new Date(m.dueDate.getTime() + DAY_MS),
    allDay: true,
    summary: `${MARKERS[m.status] ?? ''}${m.workstreamTitle}: ${m.title}${partial ? ` (due ${due})` : ''}`,
    description,
    url,
    status: m.status === 'cancelled' ? ICalEventStatus.CANCELLED : m.dateBasis === 'assumed' ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
    transparency: ICalEventTransparency.TRANSPARENT,
  };
}

export interface CalendarSpec {
  name: string;
  selfUrl: string;
  /** How often clients should refresh a subscription. */
  ttlSeconds: number;
}

const MAX_OCTETS = 75;

/**
 * RFC 5545 §3.1: a content line longer than 75 octets is folded, CRLF and one space, never inside
 * a UTF-8 character. ical-generator folds correctly too, but with a TextEncoder per character
 * (1.3 ms per event): a 50,000-milestone calendar took 214 s to stream, 20 s with this, which
 * counts octets from the UTF-16 code units (a pure-ASCII line is cut by length).
 */
export function foldLine(line: string): string {
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes <= MAX_OCTETS) return line;
  const parts: string[] = [];
  if (bytes === line.length) {
    // ASCII only: one octet per character.
    parts.push(line.slice(0, MAX_OCTETS));
    for (let i = MAX_OCTETS; i < line.length; i += MAX_OCTETS - 1) parts.push(line.slice(i, i + MAX_OCTETS - 1));
    return parts.join('\r\n ');
  }
  let start = 0;
  let width = 0;
  // The first line holds 75 octets; each continuation line's leading space takes one of them.
  let room = MAX_OCTETS;
  for (let i = 0; i < line.length; ) {
    const c = line.charCodeAt(i);
    let units = 1;
    let octets = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = line.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        units = 2;
        octets = 4;
      }
    }
    if (width + octets > room) {
      parts.push(line.slice(start, i));
      start = i;
      width = 0;
      room = MAX_OCTETS - 1;
    }
    width += octets;
    i += units;
  }
  parts.push(line.slice(start));
  return parts.join('\r\n ');
}

/** Folds every line of CRLF-separated content lines. */
export const foldLines = (text: string) => text.split('\r\n').map(foldLine).join('\r\n');

/**
 * iCalendar (RFC 5545) written a batch at a time: ical-generator renders every content line
 * (property names and parameters, escaping, dates, CRLF), foldLines folds them, and this class
 * cuts the VCALENDAR in two so that the events in between can stream from the database.
 */
export class StreamedCalendar {
  private readonly calendar: ICalCalendar;

  constructor(spec: CalendarSpec) {
    this.calendar = ical({
      name: spec.name,
      prodId: { company: 'Pledgewatch', product: 'milestones', language: 'EN' },
      url: spec.selfUrl,
      ttl: spec.ttlSeconds,
    });
  }

  /** `BEGIN:VCALENDAR` and the calendar's properties, each line ending in CRLF. */
  head(): string {
    const empty = this.calendar.toString();
    return `${empty.slice(0, empty.lastIndexOf('END:VCALENDAR'))}`;
  }

  /** The VEVENTs of one batch, folded, each line ending in CRLF. */
  events(events: ICalEventData[]): string {
    let text = '';
    for (const data of events) text += this.calendar.createEvent(data).toString();
    this.calendar.clear();
    return foldLines(text);
  }

  tail(): string {
    return 'END:VCALENDAR\r\n';
  }
}
