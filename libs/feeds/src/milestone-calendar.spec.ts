import { foldLines as libraryFold } from 'ical-generator';
import { calendarEventOf, foldLine, foldLines } from './milestone-calendar';

const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('iCalendar line folding', () => {
  const lines = [
    'SUMMARY:short',
    `DESCRIPTION:${'plain ascii text '.repeat(20)}`,
    `SUMMARY:${'é'.repeat(80)}`,
    `DESCRIPTION:${'日本とASEAN '.repeat(30)}`,
    `SUMMARY:${'🚢⚓'.repeat(50)}x`,
    `X-EXACT:${'a'.repeat(75 - 'X-EXACT:'.length)}`,
  ];

  it.each(lines)('folds at 75 octets without splitting a character: %#', (line) => {
    const folded = foldLine(line);
    expect(unfold(folded)).toBe(line);
    for (const physical of folded.split('\r\n')) {
      expect(Buffer.byteLength(physical, 'utf8')).toBeLessThanOrEqual(75);
      expect(physical).not.toMatch(LONE_SURROGATE);
    }
  });

  it('leaves a line of 75 octets or fewer alone, and folds each line of a block', () => {
    expect(foldLine(lines[5])).toBe(lines[5]);
    const block = `${lines.join('\r\n')}\r\n`;
    expect(unfold(foldLines(block))).toBe(block);
    // The same content lines as ical-generator's own folding, once unfolded.
    expect(unfold(foldLines(block))).toBe(unfold(libraryFold(block)));
  });
});

describe('a milestone as a calendar event', () => {
  const base = {
    id: '3f1c9a52-0000-4000-8000-000000000001',
    title: 'Vessel delivered',
    status: 'not_started' as const,
    dateBasis: 'planned' as const,
    evidenceUrl: null,
    note: null,
    version: 1,
    revisedAt: new Date('2026-12-01T00:00:00Z'),
    workstreamSlug: 'patrol-vessel-id',
    workstreamTitle: 'Patrol vessel for Indonesia',
  };

  it('a day-precise due date is an all-day event on that day, linking the workstream page', () => {
    const event = calendarEventOf({ ...base, dueDate: new Date('2027-03-15T00:00:00Z'), datePrecision: 'day' }, 'https://pw.example', 'pw.example');
    expect(event.allDay).toBe(true);
    expect(event.summary).toBe('Patrol vessel for Indonesia: Vessel delivered');
    expect(event.description).toContain('Due 15 March 2027. Date basis: planned');
    expect(event.url).toBe('https://pw.example/workstreams/patrol-vessel-id');
  });

  it('a date known to the month, quarter or year says the period and sits on its last day', () => {
    const month = calendarEventOf({ ...base, dueDate: new Date('2028-03-31T00:00:00Z'), datePrecision: 'month' }, 'https://pw.example', 'pw.example');
    expect(month.summary).toBe('Patrol vessel for Indonesia: Vessel delivered (due March 2028)');
    expect(month.description).toContain('Due March 2028 (known to the month; shown on its last day)');
    expect((month.start as Date).toISOString()).toBe('2028-03-31T00:00:00.000Z');
    const quarter = calendarEventOf({ ...base, dueDate: new Date('2028-03-31T00:00:00Z'), datePrecision: 'quarter' }, 'https://pw.example', 'pw.example');
    expect(quarter.summary).toContain('(due Q1 2028)');
    const year = calendarEventOf({ ...base, dueDate: new Date('2028-12-31T00:00:00Z'), datePrecision: 'year' }, 'https://pw.example', 'pw.example');
    expect(year.summary).toContain('(due 2028)');
  });
});
