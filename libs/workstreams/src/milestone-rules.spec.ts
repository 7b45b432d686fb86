import { UnprocessableError } from '@pledgewatch/problems';
import { milestoneDateErrors, planMilestonePatch, resolveNewMilestone, todayUtc } from './milestone-rules';

const d = (s: string) => new Date(`${s}T00:00:00.000Z`);
const today = d('2025-06-15');

const base = {
  id: 'm1',
  title: 'Radar handover',
  status: 'not_started' as const,
  dueDate: d('2025-09-30'),
  plannedStart: d('2025-03-01'),
  actualStart: null,
  completedOn: null,
  dateBasis: 'sourced' as const,
  datePrecision: 'day' as const,
  actualStartPrecision: 'day' as const,
  completedOnPrecision: 'day' as const,
  evidenceUrl: null,
  note: null,
};

function codeOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnprocessableError);
    return ((error as UnprocessableError).errors ?? []).map((e) => e.code);
  }
  throw new Error('expected a 422');
}

describe('todayUtc', () => {
  it('is midnight UTC of the instant’s UTC day', () => {
    expect(todayUtc(new Date('2025-06-15T23:59:59.999Z')).toISOString()).toBe('2025-06-15T00:00:00.000Z');
  });
});

describe('milestoneDateErrors', () => {
  it('accepts a milestone that starts and ends the same day, completed today', () => {
    expect(
      milestoneDateErrors({ ...base, plannedStart: today, dueDate: today, actualStart: today, completedOn: today, status: 'completed' }, today),
    ).toEqual([]);
  });

  it('names every problem with its path', () => {
    const errors = milestoneDateErrors(
      { ...base, plannedStart: d('2025-10-01'), actualStart: d('2025-06-16'), completedOn: d('2025-06-14'), status: 'completed' },
      today,
      'milestones.2',
    );
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ['milestones.2.dueDate', 'invalid_dates'],
      ['milestones.2.actualStart', 'date_in_future'],
      ['milestones.2.completedOn', 'invalid_dates'],
    ]);
  });
});

describe('resolveNewMilestone', () => {
  it('defaults to not_started, and to completed today when only "completed" is said', () => {
    expect(resolveNewMilestone({ title: 'a', dueDate: d('2025-07-01') }, today).milestone).toMatchObject({ status: 'not_started', completedOn: null });
    expect(resolveNewMilestone({ title: 'a', dueDate: d('2025-07-01'), status: 'completed' }, today).milestone.completedOn).toEqual(today);
  });

  it('takes a completedOn without a status as a completion', () => {
    const { milestone, errors } = resolveNewMilestone({ title: 'a', dueDate: d('2025-07-01'), completedOn: d('2025-01-02') }, today);
    expect(errors).toEqual([]);
    expect(milestone).toMatchObject({ status: 'completed', completedOn: d('2025-01-02') });
  });

  it('refuses overdue, a completedOn on an open milestone, a due date before the start, a completion in the future', () => {
    const codes = (input: Parameters<typeof resolveNewMilestone>[0]) => resolveNewMilestone(input, today).errors.map((e) => e.code);
    expect(codes({ title: 'a', dueDate: d('2025-01-01'), status: 'overdue' })).toEqual(['status_reserved']);
    expect(codes({ title: 'a', dueDate: d('2025-07-01'), status: 'in_progress', completedOn: d('2025-06-01') })).toEqual(['not_completed']);
    expect(codes({ title: 'a', dueDate: d('2025-07-01'), plannedStart: d('2025-07-02') })).toEqual(['invalid_dates']);
    expect(codes({ title: 'a', dueDate: d('2025-07-01'), completedOn: d('2025-06-16') })).toEqual(['date_in_future']);
  });
});

describe('planMilestonePatch', () => {
  it('completes with today when no completedOn is given, and owes milestone.completed and progress', () => {
    const plan = planMilestonePatch(base, { status: 'completed' }, today);
    expect(plan.data).toEqual({ status: 'completed', completedOn: today });
    expect(plan.events).toEqual([
      expect.objectContaining({ type: 'milestone.completed', milestoneId: 'm1', from: 'not_started', to: 'completed' }),
    ]);
    expect(plan.progress).toBe(true);
  });

  it('keeps a given completedOn', () => {
    expect(planMilestonePatch(base, { status: 'completed', completedOn: d('2025-06-01') }, today).data.completedOn).toEqual(d('2025-06-01'));
  });

  it('un-completing clears completedOn and owes milestone.status_changed, not progress', () => {
    const plan = planMilestonePatch({ ...base, status: 'completed', completedOn: d('2025-06-01') }, { status: 'in_progress' }, today);
    expect(plan.data).toEqual({ status: 'in_progress', completedOn: null });
    expect(plan.events.map((e) => [e.type, e.from, e.to])).toEqual([['milestone.status_changed', 'completed', 'in_progress']]);
    expect(plan.progress).toBe(true);
    const deferred = planMilestonePatch({ ...base, status: 'completed', completedOn: d('2025-06-01') }, { status: 'deferred' }, today);
    expect(deferred.progress).toBe(false);
  });

  it('a start is progress: status in_progress, or a first actualStart', () => {
    expect(planMilestonePatch(base, { status: 'in_progress' }, today).progress).toBe(true);
    const started = planMilestonePatch(base, { actualStart: d('2025-06-01') }, today);
    expect(started.progress).toBe(true);
    expect(started.events).toEqual([]);
    expect(planMilestonePatch(base, { note: 'call with ministry' }, today).progress).toBe(false);
  });

  it('rescheduling owes milestone.rescheduled with the days; status and date together owe one event each', () => {
    const plan = planMilestonePatch(base, { dueDate: d('2025-12-31'), status: 'in_progress' }, today);
    expect(plan.events.map((e) => [e.type, e.from, e.to])).toEqual([
      ['milestone.status_changed', 'not_started', 'in_progress'],
      ['milestone.rescheduled', '2025-09-30', '2025-12-31'],
    ]);
  });

  it('an unchanged value is no change and owes nothing', () => {
    const plan = planMilestonePatch(base, { dueDate: d('2025-09-30'), status: 'not_started', title: 'Radar handover' }, today);
    expect(plan.data).toEqual({});
    expect(plan.events).toEqual([]);
  });

  it('moving an overdue milestone’s due date ahead takes it out of overdue', () => {
    const overdue = { ...base, status: 'overdue' as const, dueDate: d('2025-06-01') };
    const plan = planMilestonePatch(overdue, { dueDate: d('2025-08-01') }, today);
    expect(plan.data).toMatchObject({ status: 'not_started', dueDate: d('2025-08-01') });
    expect(plan.events.map((e) => e.type)).toEqual(['milestone.status_changed', 'milestone.rescheduled']);
    expect(planMilestonePatch({ ...overdue, actualStart: d('2025-05-01') }, { dueDate: d('2025-08-01') }, today).data.status).toBe('in_progress');
    expect(planMilestonePatch(overdue, { dueDate: d('2025-06-10') }, today).data.status).toBeUndefined();
  });

  it('refuses overdue, a completedOn on an open milestone and dates that do not add up', () => {
    expect(codeOf(() => planMilestonePatch(base, { status: 'overdue' }, today))).toEqual(['status_reserved']);
    expect(codeOf(() => planMilestonePatch(base, { completedOn: d('2025-06-01') }, today))).toEqual(['not_completed']);
    expect(codeOf(() => planMilestonePatch(base, { dueDate: d('2025-02-01') }, today))).toEqual(['invalid_dates']);
    expect(codeOf(() => planMilestonePatch(base, { status: 'completed', completedOn: d('2025-06-16') }, today))).toEqual(['date_in_future']);
  });
});
