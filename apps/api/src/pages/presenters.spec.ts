import { ValidationError, UnprocessableError } from '@pledgewatch/problems';
import { HIGHLIGHT_END as E, HIGHLIGHT_START as S } from '@pledgewatch/workstreams';
import { eventView, healthBar, healthStrip, highlighted, milestoneView, occurredView } from './presenters';
import { formErrorsOf, formFromBody, subscribeRequestOf } from './subscribe-form';

describe('healthBar', () => {
  it('stacks the counts worst first, widths summing to the whole, with a text equivalent', () => {
    const bar = healthBar({ on_track: 2, off_track: 1, unknown: 1 });
    expect(bar.total).toBe(4);
    expect(bar.legend.map((e) => e.health)).toEqual(['off_track', 'unknown', 'on_track']);
    expect(bar.segments.map((s) => [s.x, s.width])).toEqual([
      [0, 25],
      [25, 25],
      [50, 50],
    ]);
    expect(bar.text).toBe('4 workstreams: 1 off track, 1 unknown, 2 on track.');
    expect(bar.linked).toBe(false);
  });

  it('links every segment and legend entry to its list when asked', () => {
    const bar = healthBar({ stalled: 3, at_risk: 1 }, (h) => `/workstreams?health=${h}`);
    expect(bar.segments.map((s) => s.href)).toEqual(['/workstreams?health=at_risk', '/workstreams?health=stalled']);
    expect(bar.legend.map((e) => e.href)).toEqual(['/workstreams?health=at_risk', '/workstreams?health=stalled']);
    expect(bar.linked).toBe(true);
  });

  it('says so when there is nothing to draw', () => {
    expect(healthBar(undefined)).toMatchObject({ total: 0, segments: [], text: 'No workstreams yet.' });
  });
});

describe('milestoneView', () => {
  const base = { title: 'Radars handed over', dueDate: '2026-01-31', status: 'overdue' as const, dateBasis: 'assumed' as const, evidenceUrl: null };

  it('marks an overdue milestone, counts the days and names the basis of its date', () => {
    expect(milestoneView(base, '2026-02-10')).toMatchObject({ overdue: true, lateness: '10 days overdue', basisLabel: 'planning assumption' });
  });

  it('compares a completion with its due date, and drops a link that is not http(s)', () => {
    const done = milestoneView({ ...base, status: 'completed', completedOn: '2026-02-02', evidenceUrl: 'javascript:alert(1)' }, '2026-03-01');
    expect(done).toMatchObject({ completed: true, lateness: '2 days after the due date', evidenceUrl: null });
    expect(milestoneView({ ...base, status: 'completed', completedOn: '2026-01-31' }, '2026-03-01').lateness).toBe('on the due date');
    // A sourced due date that is the completion recorded after the fact met no deadline.
    expect(milestoneView({ ...base, status: 'completed', completedOn: '2026-01-31', dateBasis: 'sourced' }, '2026-03-01').lateness).toBeNull();
  });

  it('shows dates as far as they are known, and "on the due date" only when both are known to the day', () => {
    const month = { ...base, dueDate: '2028-03-31', datePrecision: 'month' as const, status: 'not_started' as const };
    expect(milestoneView(month, '2026-12-07').due).toEqual({ iso: '2028-03-31', text: 'March 2028' });
    expect(milestoneView({ ...month, datePrecision: 'quarter' }, '2026-12-07').due?.text).toBe('Q1 2028');
    expect(milestoneView({ ...month, dueDate: '2028-12-31', datePrecision: 'year' }, '2026-12-07').due?.text).toBe('2028');
    // Completed on the stored last day of the due month: not "on the due date", which nobody knows.
    const sameMonth = milestoneView({ ...month, status: 'completed', completedOn: '2028-03-31', completedOnPrecision: 'month' }, '2028-04-10');
    expect(sameMonth).toMatchObject({ completedOn: { iso: '2028-03-31', text: 'March 2028' }, lateness: null });
    const dayInMonth = milestoneView({ ...month, status: 'completed', completedOn: '2028-03-31' }, '2028-04-10');
    expect(dayInMonth.lateness).toBeNull();
    // Certainly late: completed in a month that began after the due month ended.
    expect(milestoneView({ ...month, status: 'completed', completedOn: '2028-05-31', completedOnPrecision: 'month' }, '2028-06-10').lateness).toBe('after the due date');
    expect(milestoneView({ ...month, status: 'overdue' }, '2028-04-10').lateness).toBe('overdue since the end of March 2028');
    expect(milestoneView({ ...month, status: 'in_progress', actualStart: '2026-03-03' }, '2026-12-07').actualStart?.text).toBe('3 March 2026');
  });
});

describe('eventView', () => {
  it('words a health change with its labels, and a completion without "none → completed"', () => {
    const common = { id: 'e', milestoneId: null, reason: 'r', occurredAt: '2026-01-01T00:00:00.000Z' };
    expect(eventView({ ...common, type: 'workstream.health_changed', from: 'on_track', to: 'at_risk' }).change).toEqual({ from: 'On track', to: 'At risk' });
    expect(eventView({ ...common, type: 'milestone.completed', from: null, to: 'completed' }).change).toBeNull();
  });
});

describe('eventView words', () => {
  const common = { id: 'e', milestoneId: null, reason: 'r' };

  it('says a milestone status and a stage in words, never a code', () => {
    const status = eventView({ ...common, type: 'milestone.status_changed', from: 'not_started', to: 'in_progress', occurredAt: '2026-01-01T09:30:00.000Z' });
    expect(status.change).toEqual({ from: 'Not started', to: 'In progress' });
    expect(eventView({ ...common, type: 'workstream.stage_changed', from: 'pipeline', to: 'implementation', occurredAt: '2026-01-01T09:30:00.000Z' }).change).toEqual({
      from: 'Pipeline',
      to: 'Implementation',
    });
  });

  it('shows a fact known to the day as the day alone, anything else to the minute', () => {
    expect(occurredView('2024-06-10T00:00:00.000Z')).toEqual({ iso: '2024-06-10', text: '10 June 2024', time: null });
    expect(occurredView('2024-06-10T09:05:00.000Z')).toMatchObject({ text: '10 June 2024', time: '09:05 UTC' });
  });

  it('names the milestone and links its evidence', () => {
    const view = eventView(
      { ...common, milestoneId: 'm', type: 'milestone.completed', from: null, to: 'completed', occurredAt: '2024-06-10T00:00:00.000Z' },
      new Map([['m', { title: 'Loan signed', evidenceUrl: 'https://example.org/jica' }]]),
    );
    expect(view).toMatchObject({ milestoneTitle: 'Loan signed', evidenceUrl: 'https://example.org/jica' });
  });
});

describe('highlighted', () => {
  it('splits a headline into plain and marked parts', () => {
    expect(highlighted(`five ${S}97${E}-${S}m${E} vessels`)).toEqual([
      { text: 'five ', mark: false },
      { text: '97', mark: true },
      { text: '-', mark: false },
      { text: 'm', mark: true },
      { text: ' vessels', mark: false },
    ]);
    expect(highlighted('no match')).toEqual([{ text: 'no match', mark: false }]);
  });
});

describe('healthStrip', () => {
  const change = (day: string, from: string, to: string) => ({ type: 'workstream.health_changed', from, to, occurredAt: `${day}T00:00:00.000Z` });

  it('draws one period per value from the first record to today, and lists them in words', () => {
    const strip = healthStrip(
      [change('2024-01-01', 'unknown', 'on_track'), change('2025-01-01', 'on_track', 'at_risk'), { type: 'workstream.created', from: null, to: null, occurredAt: '2023-12-16T00:00:00.000Z' }],
      '2026-12-01T10:00:00.000Z',
      { health: 'at_risk', since: '2025-01-01T00:00:00.000Z' },
      '2026-01-01',
    );
    expect(strip.periods.map((p) => [p.health, p.from.iso, p.to?.iso ?? null])).toEqual([
      ['unknown', '2023-12-16', '2024-01-01'],
      ['on_track', '2024-01-01', '2025-01-01'],
      ['at_risk', '2025-01-01', null],
    ]);
    expect(strip.periods[0].x).toBe(0);
    expect(strip.periods.reduce((sum, p) => sum + p.width, 0)).toBeCloseTo(100, 0);
    expect(strip.text).toBe(
      'Health over time: unknown from 16 December 2023 to 1 January 2024; on track from 1 January 2024 to 1 January 2025; at risk from 1 January 2025 until today.',
    );
  });

  it('a value set without an event starts when its healthSince says', () => {
    const strip = healthStrip([], '2023-12-16T00:00:00.000Z', { health: 'stalled', since: '2026-12-07T10:00:00.000Z' }, '2026-12-08');
    expect(strip.periods.map((p) => [p.health, p.from.iso])).toEqual([
      ['unknown', '2023-12-16'],
      ['stalled', '2026-12-07'],
    ]);
  });
});

describe('the subscribe form', () => {
  it('turns pair rows into intersections, a half row into its one topic, and ticks into booleans', () => {
    const form = formFromBody({
      email: ' a@example.org ',
      countries: 'MY',
      intersectionCountry: ['PH', '', 'VN'],
      intersectionSector: ['maritime-security', 'space', ''],
      digest: 'on',
      timezone: 'Asia/Manila',
      digestDay: 'friday',
      digestHour: '9',
    });
    expect(subscribeRequestOf(form)).toEqual({
      email: 'a@example.org',
      countries: ['MY', 'VN'],
      sectors: ['space'],
      intersections: [{ country: 'PH', sector: 'maritime-security' }],
      workstreams: [],
      alerts: false,
      digest: true,
      timezone: 'Asia/Manila',
      digestDay: 'friday',
      digestHour: 9,
    });
  });

  it('puts each refusal beside its field, once, and lists it in the summary', () => {
    const email = new ValidationError([{ field: 'email', code: 'invalid_email', message: 'Give an email address such as name@example.org.' }]);
    expect(formErrorsOf(email)).toEqual({
      fields: { email: 'Give an email address such as name@example.org.' },
      summary: [{ message: 'Give an email address such as name@example.org.', href: '#email' }],
    });
    const noTopics = new UnprocessableError('no_topics', 'Follow at least one …');
    expect(formErrorsOf(noTopics).fields).toEqual({ topics: 'Choose at least one country, sector, country in one sector, or workstream.' });
  });
});
