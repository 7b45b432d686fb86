import { ValidationError, UnprocessableError } from '@pledgewatch/problems';
import { eventView, healthBar, milestoneView } from './presenters';
import { formErrorsOf, formFromBody, subscribeRequestOf } from './subscribe-form';

describe('healthBar', () => {
  it('stacks the counts worst first, widths summing to the whole, with a text equivalent', () => {
    const bar = healthBar({ on_track: 2, off_track: 1, unknown: 1 });
    expect(bar.total).toBe(4);
    expect(bar.legend.map((e) => e.health)).toEqual(['off_track', 'on_track', 'unknown']);
    expect(bar.segments.map((s) => [s.x, s.width])).toEqual([
      [0, 25],
      [25, 50],
      [75, 25],
    ]);
    expect(bar.text).toBe('4 workstreams: 1 off track, 2 on track, 1 unknown.');
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
