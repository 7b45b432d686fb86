import { evaluateHealth, HealthMilestone, HealthWorkstream, progressAsOf } from './evaluate-health';

const windows = { warningDays: 14, graceDays: 7, stallDays: 180 };
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const at = (iso: string) => new Date(iso);
const asOf = new Date('2026-06-15T10:00:00Z');

const ws = (over: Partial<HealthWorkstream> = {}): HealthWorkstream => ({
  stage: 'implementation',
  createdAt: d('2024-01-01'),
  reviews: [],
  ...over,
});
const ms = (over: Partial<HealthMilestone> = {}): HealthMilestone => ({
  status: 'not_started',
  dueDate: d('2026-12-31'),
  completedOn: null,
  dateBasis: 'planned',
  ...over,
});
const verdict = (w: HealthWorkstream, m: HealthMilestone[], when = asOf) => evaluateHealth(w, m, when, windows);
const health = (w: HealthWorkstream, m: HealthMilestone[], when = asOf) => verdict(w, m, when).health;

describe('evaluateHealth', () => {
  describe('rule 1: inactive', () => {
    it.each(['cancelled', 'suspended'] as const)('stage %s is inactive, even with overdue milestones', (stage) => {
      expect(health(ws({ stage, reviews: [asOf] }), [ms({ dueDate: d('2020-01-01') })])).toBe('inactive');
    });
  });

  describe('rule 2: complete', () => {
    it('stage closed is complete, whatever its milestones', () => {
      expect(health(ws({ stage: 'closed' }), [ms({ dueDate: d('2020-01-01') })])).toBe('complete');
      expect(health(ws({ stage: 'closed' }), [])).toBe('complete');
    });
    it('every counting milestone completed and stage finalisation is complete; cancelled ones do not count', () => {
      const m = [ms({ status: 'completed', completedOn: d('2026-01-01') }), ms({ status: 'cancelled', dueDate: d('2020-01-01') })];
      expect(verdict(ws({ stage: 'finalisation' }), m)).toMatchObject({
        health: 'complete',
        rule: 'complete:done',
        reason: 'All 1 milestone completed; stage is finalisation.',
      });
    });
    it('every listed milestone done in implementation is not complete: judged by progress', () => {
      const m = [ms({ status: 'completed', completedOn: d('2026-06-01') })];
      expect(verdict(ws(), m)).toMatchObject({ health: 'on_track', rule: 'on_track:progress', reason: 'Progress recorded on 1 June 2026; nothing scheduled ahead.' });
    });
  });

  describe('rule 3: unknown without milestones', () => {
    it('no milestones, or only cancelled ones, is unknown', () => {
      expect(verdict(ws(), [])).toMatchObject({ health: 'unknown', rule: 'unknown:none', reason: 'No milestones to measure against.' });
      expect(health(ws({ stage: 'finalisation' }), [ms({ status: 'cancelled' })])).toBe('unknown');
    });
  });

  describe('rule 4: off track needs a review after the due date plus grace', () => {
    const late = ms({ title: 'Notes exchanged', dueDate: d('2026-05-01') });
    it('overdue beyond grace and reviewed after due + grace: off track, naming the review', () => {
      expect(verdict(ws({ reviews: [at('2026-06-01T09:00:00Z')] }), [late])).toMatchObject({
        health: 'off_track',
        rule: 'off_track:reviewed',
        reason: '"Notes exchanged" was due 1 May 2026 (planned date); no outcome found at review on 1 June 2026.',
        since: at('2026-06-01T09:00:00Z'),
      });
    });
    it('a review on exactly due + grace is not after it: at risk, awaiting review', () => {
      expect(verdict(ws({ reviews: [at('2026-05-08T23:00:00Z')] }), [late])).toMatchObject({ health: 'at_risk', rule: 'at_risk:awaiting' });
      expect(health(ws({ reviews: [at('2026-05-09T00:00:00Z')] }), [late])).toBe('off_track');
    });
    it('overdue beyond grace and nobody looked since: at risk, awaiting review', () => {
      expect(verdict(ws({ reviews: [d('2026-04-01')] }), [late])).toMatchObject({
        health: 'at_risk',
        rule: 'at_risk:awaiting',
        reason: '"Notes exchanged" was due 1 May 2026 (planned date); no outcome recorded; awaiting review.',
      });
      expect(health(ws(), [late])).toBe('at_risk');
    });
    it('a review after asOf does not count yet', () => {
      expect(health(ws({ reviews: [d('2026-06-20')] }), [late])).toBe('at_risk');
      expect(health(ws({ reviews: [d('2026-06-20')] }), [late], d('2026-06-21'))).toBe('off_track');
    });
    it('only the latest review by asOf matters', () => {
      expect(health(ws({ reviews: [d('2026-06-01'), d('2026-03-01')] }), [late])).toBe('off_track');
    });
    it('an assumed date is at risk at most, reviewed or not', () => {
      const assumed = ms({ title: 'Notes exchanged', dueDate: d('2026-05-01'), dateBasis: 'assumed' });
      expect(verdict(ws({ reviews: [asOf] }), [assumed])).toMatchObject({
        health: 'at_risk',
        rule: 'at_risk:assumed',
        reason: '"Notes exchanged": assumed date 1 May 2026 passed; no outcome recorded (an assumed date is at risk at most).',
      });
    });
    it('the oldest announced date is the one named; an announced one awaiting review wins over an assumed one', () => {
      const m = [ms({ title: 'Assumed', dueDate: d('2025-01-01'), dateBasis: 'assumed' }), ms({ title: 'Loan signed', dueDate: d('2026-05-01'), dateBasis: 'sourced' })];
      expect(verdict(ws(), m)).toMatchObject({ rule: 'at_risk:awaiting', reason: expect.stringMatching(/^"Loan signed" was due 1 May 2026 \(sourced date\)/) });
      expect(verdict(ws({ reviews: [asOf] }), m)).toMatchObject({ rule: 'off_track:reviewed' });
    });
    it('a deferred milestone is never overdue', () => {
      expect(health(ws({ reviews: [asOf] }), [ms({ status: 'deferred', dueDate: d('2025-01-01') })])).not.toBe('off_track');
    });
  });

  describe('rule 5: at risk', () => {
    it('overdue within the grace period (exactly the grace period included)', () => {
      expect(verdict(ws({ reviews: [asOf] }), [ms({ title: 'X', dueDate: d('2026-06-08'), status: 'in_progress' })])).toMatchObject({
        health: 'at_risk',
        rule: 'at_risk:grace',
        reason: '"X" was due 8 June 2026: overdue, within the 7-day grace period.',
      });
    });
    it('due today is not overdue; not started within the warning window is at risk', () => {
      expect(verdict(ws(), [ms({ title: 'X', dueDate: d('2026-06-15') })])).toMatchObject({ rule: 'at_risk:soon', reason: '"X" is due 15 June 2026 and not started.' });
      expect(health(ws(), [ms({ dueDate: d('2026-06-29') })])).toBe('at_risk');
      expect(health(ws(), [ms({ dueDate: d('2026-06-30') })])).toBe('on_track');
      expect(health(ws(), [ms({ dueDate: d('2026-06-20'), status: 'in_progress' })])).toBe('on_track');
    });
  });

  describe('rule 6: on track', () => {
    it('an open milestone due later is on track, named with its basis', () => {
      expect(verdict(ws(), [ms({ title: 'Ships delivered', dueDate: d('2027-03-31') })])).toMatchObject({
        health: 'on_track',
        rule: 'on_track:next',
        reason: 'Next: "Ships delivered", due 31 March 2027 (planned date).',
      });
    });
    it('however long since the last progress: a multi-year build between steps is not stalled', () => {
      const m = [ms({ status: 'completed', completedOn: d('2024-12-27') }), ms({ title: 'Vessel delivered', dueDate: d('2028-03-31'), datePrecision: 'month' })];
      expect(verdict(ws(), m)).toMatchObject({ health: 'on_track', reason: 'Next: "Vessel delivered", due March 2028 (planned date).' });
    });
    it('a deferred milestone due later counts as scheduled ahead', () => {
      expect(health(ws(), [ms({ status: 'deferred', dueDate: d('2026-09-01') })])).toBe('on_track');
    });
    it('progress within the stall window, nothing ahead: on track', () => {
      const m = [ms({ status: 'completed', completedOn: d('2025-12-18'), dueDate: d('2025-12-18') })];
      expect(health(ws(), m)).toBe('on_track');
    });
  });

  describe('rule 7: stalled needs a review that found no progress', () => {
    const done = [ms({ status: 'completed', completedOn: d('2025-12-17'), dueDate: d('2025-12-17') })];
    it('no progress for the stall window and a review inside it: stalled', () => {
      expect(verdict(ws({ reviews: [d('2026-06-01')] }), done)).toMatchObject({
        health: 'stalled',
        rule: 'stalled:reviewed',
        reason: 'No progress found at review on 1 June 2026; last progress 17 December 2025; nothing scheduled ahead.',
      });
    });
    it('the review must be after the stall window began', () => {
      // The window began 2025-12-17 (180 days before asOf's day): a review that day is not inside it.
      expect(health(ws({ reviews: [d('2025-12-17')] }), done)).toBe('unknown');
      expect(health(ws({ reviews: [d('2025-12-18')] }), done)).toBe('stalled');
    });
  });

  describe('rule 8: unknown when nobody has looked', () => {
    it('nothing ahead, no recent progress, no review since: unknown, saying so', () => {
      const done = [ms({ status: 'completed', completedOn: d('2024-03-11'), dueDate: d('2024-03-11') })];
      expect(verdict(ws({ reviews: [d('2024-03-12')] }), done)).toMatchObject({
        health: 'unknown',
        rule: 'unknown:unreviewed',
        reason: 'Nothing scheduled ahead; last progress 11 March 2024; not reviewed since 12 March 2024.',
      });
      expect(verdict(ws(), done).reason).toBe('Nothing scheduled ahead; last progress 11 March 2024; never reviewed.');
      // Unknown since the stall window ran out after the last progress, not since whenever it was computed.
      expect(verdict(ws(), done).since).toEqual(d('2024-09-07'));
    });
    it('a young workstream with nothing recorded is unknown, not stalled', () => {
      expect(health(ws({ createdAt: d('2026-06-01'), reviews: [d('2026-06-01')] }), [ms({ status: 'deferred', dueDate: d('2026-06-02') })])).toBe('unknown');
    });
  });

  describe('date precision', () => {
    it('a month-precise due date is overdue only once the month has ended', () => {
      const march = ms({ title: 'Ships delivered', dueDate: d('2026-05-31'), datePrecision: 'month', status: 'in_progress' });
      expect(health(ws(), [march], d('2026-05-20'))).toBe('on_track');
      expect(verdict(ws(), [march], d('2026-06-02'))).toMatchObject({ rule: 'at_risk:grace', reason: '"Ships delivered" was due May 2026: overdue, within the 7-day grace period.' });
    });
    it('reasons show quarters and years as such', () => {
      expect(verdict(ws(), [ms({ title: 'Q', dueDate: d('2027-03-31'), datePrecision: 'quarter' })]).reason).toBe('Next: "Q", due Q1 2027 (planned date).');
      expect(verdict(ws(), [ms({ title: 'Y', dueDate: d('2028-12-31'), datePrecision: 'year' })]).reason).toBe('Next: "Y", due 2028 (planned date).');
    });
    it('progress known to the month is said "in" that month', () => {
      const m = [ms({ status: 'completed', completedOn: d('2026-05-31'), completedOnPrecision: 'month' })];
      expect(verdict(ws(), m).reason).toBe('Progress recorded in May 2026; nothing scheduled ahead.');
    });
  });

  describe('progress is derived from the milestones', () => {
    it('the latest start or completion by asOf; cancelled milestones do not count', () => {
      const m = [
        ms({ status: 'in_progress', actualStart: d('2026-03-03') }),
        ms({ status: 'completed', completedOn: d('2026-02-01') }),
        ms({ status: 'cancelled', actualStart: d('2026-06-01') }),
        ms({ status: 'completed', completedOn: d('2026-07-01') }),
      ];
      expect(progressAsOf(m, asOf)).toEqual({ on: d('2026-03-03'), precision: 'day' });
    });
    it('undoing a start undoes the progress', () => {
      const started = [ms({ status: 'in_progress', actualStart: d('2026-06-01'), dueDate: d('2026-01-01'), dateBasis: 'assumed' })];
      expect(progressAsOf(started, asOf)).not.toBeNull();
      expect(progressAsOf([{ ...started[0], actualStart: null }], asOf)).toBeNull();
    });
  });

  describe('as of an instant', () => {
    const history = [
      ms({ title: 'Grant agreement', status: 'completed', dueDate: d('2024-03-10'), completedOn: d('2024-03-22') }),
      ms({ title: 'Vessel delivered', status: 'not_started', dueDate: d('2027-12-31') }),
    ];
    const w = ws({ createdAt: d('2023-12-16'), reviews: [d('2024-03-19'), d('2026-06-01')] });

    it('a completion after asOf had not happened yet; a review after asOf did not count yet', () => {
      expect(health(w, history, d('2024-04-05'))).toBe('on_track');
      // As of 2024-03-20 the agreement was 10 days late and reviewed the day before: off track.
      expect(health(w, history, d('2024-03-20'))).toBe('off_track');
      // Without that review, the same day is only awaiting review.
      expect(health(ws({ createdAt: d('2023-12-16'), reviews: [d('2026-06-01')] }), history, d('2024-03-20'))).toBe('at_risk');
    });
    it('a workstream complete today was not complete before its last completion', () => {
      const finalising = { ...w, stage: 'finalisation' as const };
      expect(health(finalising, [history[0]], d('2026-06-15'))).toBe('complete');
      expect(health(finalising, [history[0]], d('2024-03-15'))).toBe('at_risk');
    });
  });

  describe('the key', () => {
    it('changes when the ground of an unchanged verdict does', () => {
      const a = verdict(ws(), [ms({ dueDate: d('2027-01-01') }), ms({ dueDate: d('2027-06-01') })]);
      const b = verdict(ws(), [ms({ dueDate: d('2027-06-01') })]);
      expect(a.health).toBe(b.health);
      expect(a.key).not.toBe(b.key);
      expect(a.key).toBe('on_track:next|2027-01-01|2||');
    });
  });
});
