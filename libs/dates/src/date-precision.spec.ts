import { fitsPrecision, humanDateAt, humanDay, periodEnd } from './date-precision';

describe('date precision', () => {
  it('stores a period as its last day', () => {
    expect(periodEnd('2028-03-01', 'month')).toBe('2028-03-31');
    expect(periodEnd('2028-02-10', 'month')).toBe('2028-02-29');
    expect(periodEnd('2027-02-10', 'month')).toBe('2027-02-28');
    expect(periodEnd('2028-01-15', 'quarter')).toBe('2028-03-31');
    expect(periodEnd('2028-11-15', 'quarter')).toBe('2028-12-31');
    expect(periodEnd('2028-05-05', 'year')).toBe('2028-12-31');
    expect(periodEnd('2028-05-05', 'day')).toBe('2028-05-05');
  });

  it('tells whether a date fits its precision', () => {
    expect(fitsPrecision('2028-03-31', 'month')).toBe(true);
    expect(fitsPrecision('2028-03-30', 'month')).toBe(false);
    expect(fitsPrecision('2028-06-30', 'quarter')).toBe(true);
    expect(fitsPrecision('2028-05-31', 'quarter')).toBe(false);
    expect(fitsPrecision('2028-12-31', 'year')).toBe(true);
    expect(fitsPrecision('2028-11-30', 'year')).toBe(false);
    expect(fitsPrecision('2028-11-30', 'day')).toBe(true);
  });

  it('shows a date as far as it is known', () => {
    expect(humanDay('2026-03-03')).toBe('3 March 2026');
    expect(humanDateAt('2026-03-03', 'day')).toBe('3 March 2026');
    expect(humanDateAt('2028-03-31', 'month')).toBe('March 2028');
    expect(humanDateAt('2028-03-31', 'quarter')).toBe('Q1 2028');
    expect(humanDateAt('2028-12-31', 'year')).toBe('2028');
    expect(humanDateAt('2028-03-31T00:00:00.000Z', 'month')).toBe('March 2028');
    // Not at its period's end: shown as the day it is, never as a period it does not fit.
    expect(humanDateAt('2028-03-15', 'month')).toBe('15 March 2028');
  });
});
