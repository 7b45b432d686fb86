import { ALL_LISTED_DONE, evaluateHealth, HealthMilestone, HealthWorkstream } from './evaluate-health';

const windows = { warningDays: 14, graceDays: 7, stallDays: 180 };
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const asOf = new Date('2026-06-15T10:00:00Z');

const ws = (over: Partial<HealthWorkstream> = {}): HealthWorkstream => ({
  stage: 'implementation',
  lastProgressAt: d('2026-06-01'),
  createdAt: d('2024-01-01'),
  ...over,
});
const ms = (over: Partial<HealthMilestone> = {}): HealthMilestone => ({
  status: 'not_started',
  dueDate: d('2026-12-31'),
  completedOn: null,
  dateBasis: 'planned',
  ...over,
});
const health = (w: HealthWorkstream, m: HealthMilestone[], at = asOf) => evaluateHealth(w, m, at, windows).health;

describe('evaluateHealth', () => {
  describe('rule 1: inactive', () => {
    it.each(['cancelled', 'suspended'] as const)('stage %s is inactive, even with overdue milestones', (stage) => {
      expect(health(ws({ stage }), [ms({ dueDate: d('2020-01-01') })])).toBe('inactive');
    });
  });

  describe('rule 2: complete', () => {
    it('stage closed is complete, whatever its milestones', () => {
      expect(health(ws({ stage: 'closed' }), [ms({ dueDate: d('2020-01-01') })])).toBe('complete');
      expect(health(ws({ stage: 'closed' }), [])).toBe('complete');
    });
    it('every counting milestone completed and stage finalisation is complete; cancelled ones do not count', () => {
      const m = [ms({ status: 'completed', completedOn: d('2026-01-01') }), ms({ status: 'cancelled', dueDate: d('2020-01-01') })];
      expect(evaluateHealth(ws({ stage: 'finalisation' }), m, asOf, windows)).toEqual({
        health: 'complete',
        reason: 'All 1 milestone completed; stage is finalisation.',
      });
    });
    it.each(['pipeline', 'implementation'] as const)('every listed milestone done in %s is on track, not complete', (stage) => {
      const m = [ms({ status: 'completed', completedOn: d('2026-06-01') })];
      expect(evaluateHealth(ws({ stage }), m, asOf, windows)).toEqual({ health: 'on_track', reason: ALL_LISTED_DONE });
    });
    it('finalisation with a milestone still open is judged by the other rules', () => {
      const m = [ms({ status: 'completed', completedOn: d('2026-06-01') }), ms({ status: 'in_progress', dueDate: d('2026-05-01') })];
      expect(health(ws({ stage: 'finalisation' }), m)).toBe('off_track');
    });
    it('only cancelled milestones is not complete but unknown, in finalisation too', () => {
      expect(health(ws(), [ms({ status: 'cancelled' })])).toBe('unknown');
      expect(health(ws({ stage: 'finalisation' }), [ms({ status: 'cancelled' })])).toBe('unknown');
    });
  });

  describe('rule 3: unknown', () => {
    it('no milestones is unknown', () => {
      expect(evaluateHealth(ws(), [], asOf, windows)).toEqual({ health: 'unknown', reason: 'No milestones to measure against.' });
    });
  });

  describe('rules 4 and 5: overdue, grace and warning boundaries', () => {
    it('due today is not overdue (and not started → at risk by the warning window)', () => {
      expect(health(ws(), [ms({ dueDate: d('2026-06-15') })])).toBe('at_risk');
      expect(health(ws(), [ms({ dueDate: d('2026-06-15'), status: 'in_progress' })])).toBe('on_track');
    });
    it('overdue by one day is at risk', () => {
      expect(health(ws(), [ms({ dueDate: d('2026-06-14'), status: 'in_progress' })])).toBe('at_risk');
    });
    it('overdue by exactly the grace period is at risk', () => {
      const verdict = evaluateHealth(ws(), [ms({ title: 'Notes exchanged', dueDate: d('2026-06-08'), status: 'in_progress' })], asOf, windows);
      expect(verdict.health).toBe('at_risk');
      expect(verdict.reason).toContain('7 days overdue');
    });
    it('overdue by the grace period plus one day is off track, saying no outcome is recorded', () => {
      const verdict = evaluateHealth(ws(), [ms({ title: 'Notes exchanged', dueDate: d('2026-06-07') })], asOf, windows);
      expect(verdict).toEqual({
        health: 'off_track',
        reason: '"Notes exchanged" was due 2026-06-07 (planned date); no outcome recorded, 8 days overdue (grace 7).',
      });
      expect(health(ws(), [ms({ dueDate: d('2026-06-07'), dateBasis: 'sourced' })])).toBe('off_track');
    });
    it('a milestone the check marked overdue is judged by its date like any open one', () => {
      expect(health(ws(), [ms({ status: 'overdue', dueDate: d('2026-05-01') })])).toBe('off_track');
    });
    it('off track wins over at risk when both apply', () => {
      expect(health(ws(), [ms({ dueDate: d('2026-06-20') }), ms({ dueDate: d('2026-01-01') })])).toBe('off_track');
    });
    it('due in exactly the warning window and not started is at risk; one day later is not', () => {
      expect(health(ws(), [ms({ dueDate: d('2026-06-29') })])).toBe('at_risk');
      expect(health(ws(), [ms({ dueDate: d('2026-06-30') })])).toBe('on_track');
    });
    it('due soon but already in progress is not at risk', () => {
      expect(health(ws(), [ms({ dueDate: d('2026-06-20'), status: 'in_progress' })])).toBe('on_track');
    });
    it('a deferred milestone is never overdue, nor at risk for being due soon', () => {
      expect(health(ws(), [ms({ status: 'deferred', dueDate: d('2025-01-01') })])).toBe('on_track');
      expect(health(ws(), [ms({ status: 'deferred', dueDate: d('2026-06-16') })])).toBe('on_track');
    });
    it('a deferred milestone is still open: the workstream is not complete', () => {
      const m = [ms({ status: 'completed', completedOn: d('2026-01-01') }), ms({ status: 'deferred' })];
      expect(health(ws(), m)).toBe('on_track');
    });
    it('windows come from the caller', () => {
      const m = [ms({ dueDate: d('2026-06-05'), status: 'in_progress' })];
      expect(evaluateHealth(ws(), m, asOf, { ...windows, graceDays: 14 }).health).toBe('at_risk');
      expect(evaluateHealth(ws(), m, asOf, { ...windows, graceDays: 3 }).health).toBe('off_track');
    });
  });

  describe('rules 4 and 5: the date basis', () => {
    const assumedOn = (dueDate: string, over: Partial<HealthMilestone> = {}) => ms({ title: 'Notes exchanged', dueDate: d(dueDate), dateBasis: 'assumed', ...over });
    it('an assumed date overdue beyond the grace period is at risk, not off track', () => {
      expect(evaluateHealth(ws(), [assumedOn('2026-06-07')], asOf, windows)).toEqual({
        health: 'at_risk',
        reason: '"Notes exchanged": assumed date 2026-06-07 passed; no outcome recorded (8 days ago; an assumed date is at risk at most).',
      });
      expect(health(ws(), [assumedOn('2020-01-01', { status: 'overdue' })])).toBe('at_risk');
    });
    it('an assumed date overdue within the grace period is at risk as any other', () => {
      const verdict = evaluateHealth(ws(), [assumedOn('2026-06-08')], asOf, windows);
      expect(verdict.health).toBe('at_risk');
      expect(verdict.reason).toContain('within the 7-day grace period');
    });
    it('an assumed date due today is not overdue; due in the warning window and not started is at risk', () => {
      expect(health(ws(), [assumedOn('2026-06-15', { status: 'in_progress' })])).toBe('on_track');
      expect(health(ws(), [assumedOn('2026-06-29')])).toBe('at_risk');
      expect(health(ws(), [assumedOn('2026-06-30')])).toBe('on_track');
    });
    it('an announced date beyond grace wins over a worse assumed one, and is the one named', () => {
      const m = [assumedOn('2025-01-01'), ms({ title: 'Loan signed', dueDate: d('2026-06-01'), dateBasis: 'sourced' })];
      const verdict = evaluateHealth(ws(), m, asOf, windows);
      expect(verdict.health).toBe('off_track');
      expect(verdict.reason).toMatch(/^"Loan signed" was due 2026-06-01 \(sourced date\)/);
    });
    it('an announced date within grace and an assumed one beyond: at risk, naming the assumption', () => {
      const m = [assumedOn('2026-01-01'), ms({ dueDate: d('2026-06-10') })];
      const verdict = evaluateHealth(ws(), m, asOf, windows);
      expect(verdict.health).toBe('at_risk');
      expect(verdict.reason).toContain('assumed date 2026-01-01 passed; no outcome recorded');
    });
    it('an assumed date past due wins over stalled', () => {
      expect(health(ws({ lastProgressAt: d('2020-01-01') }), [assumedOn('2025-01-01')])).toBe('at_risk');
    });
  });

  describe('rule 6: stalled', () => {
    const open = [ms({ status: 'in_progress' })];
    it('no progress for exactly the stall window is stalled', () => {
      const verdict = evaluateHealth(ws({ lastProgressAt: d('2025-12-17') }), open, asOf, windows);
      expect(verdict.health).toBe('stalled');
      expect(verdict.reason).toBe('No progress recorded since 2025-12-17 (180 days; stall window 180).');
    });
    it('progress one day inside the window is on track', () => {
      expect(health(ws({ lastProgressAt: d('2025-12-18') }), open)).toBe('on_track');
    });
    it('with no progress ever recorded, the clock starts at creation', () => {
      expect(health(ws({ lastProgressAt: null, createdAt: d('2025-01-01') }), open)).toBe('stalled');
      expect(health(ws({ lastProgressAt: null, createdAt: d('2026-05-01') }), open)).toBe('on_track');
    });
    it('a recent completion counts as progress', () => {
      const m = [...open, ms({ status: 'completed', completedOn: d('2026-06-01'), dueDate: d('2026-06-01') })];
      expect(health(ws({ lastProgressAt: null }), m)).toBe('on_track');
    });
    it('every listed milestone done: stalled once the window passes, counted from the last completion', () => {
      const m = [ms({ status: 'completed', completedOn: d('2025-12-17'), dueDate: d('2025-12-17') })];
      expect(evaluateHealth(ws({ lastProgressAt: null }), m, asOf, windows)).toEqual({
        health: 'stalled',
        reason: 'No progress recorded since 2025-12-17 (180 days; stall window 180).',
      });
      const dayLater = [ms({ status: 'completed', completedOn: d('2025-12-18'), dueDate: d('2025-12-18') })];
      expect(evaluateHealth(ws({ lastProgressAt: null }), dayLater, asOf, windows)).toEqual({ health: 'on_track', reason: ALL_LISTED_DONE });
    });
    it('overdue and at risk win over stalled', () => {
      expect(health(ws({ lastProgressAt: d('2020-01-01') }), [ms({ dueDate: d('2026-06-01') })])).toBe('off_track');
      expect(health(ws({ lastProgressAt: d('2020-01-01') }), [ms({ dueDate: d('2026-06-20') })])).toBe('at_risk');
    });
  });

  describe('rule 7: on track', () => {
    it('names the next milestone', () => {
      const verdict = evaluateHealth(ws(), [ms({ title: 'Ships delivered', dueDate: d('2027-03-31') })], asOf, windows);
      expect(verdict).toEqual({ health: 'on_track', reason: 'Next: "Ships delivered" due 2027-03-31.' });
    });
  });

  describe('as of an instant', () => {
    const history = [
      ms({ title: 'Grant agreement', status: 'completed', dueDate: d('2024-03-10'), completedOn: d('2024-03-22') }),
      ms({ title: 'Vessel delivered', status: 'not_started', dueDate: d('2027-12-31') }),
    ];
    const w = ws({ lastProgressAt: d('2024-03-22'), createdAt: d('2023-12-16') });

    it('a completion after asOf had not happened yet', () => {
      // As of 2024-04-05 the grant agreement was done (14 days earlier): on track.
      expect(health(w, history, d('2024-04-05'))).toBe('on_track');
      // As of 2024-03-20 it was not done yet and 10 days past its due date.
      expect(health(w, history, d('2024-03-20'))).toBe('off_track');
    });
    it('the same rows give stalled much later', () => {
      expect(health(w, history, d('2026-06-15'))).toBe('stalled');
    });
    it('a workstream complete today was not complete before its last completion', () => {
      const done = [history[0]];
      const finalising = { ...w, stage: 'finalisation' as const };
      expect(health(finalising, done, d('2026-06-15'))).toBe('complete');
      expect(health(finalising, done, d('2024-03-15'))).toBe('at_risk');
    });
  });
});
