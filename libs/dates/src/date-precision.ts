/**
 * Dates known only in part. A milestone may be due "in March 2028", "in Q1 2028" or "in 2028": the
 * date is stored as the period's last day (so "overdue" begins only once the whole period has
 * passed) with its precision, and every reader is shown the period, never an invented day.
 */
export const DATE_PRECISIONS = ['day', 'month', 'quarter', 'year'] as const;
export type DatePrecision = (typeof DATE_PRECISIONS)[number];

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `YYYY-MM-DD` (or an ISO instant, by its UTC date) → its parts. */
function parts(iso: string): { y: number; m: number; d: number } {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return { y, m, d };
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDayOfMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The last day (`YYYY-MM-DD`) of the period of the given precision that contains `iso`. */
export function periodEnd(iso: string, precision: DatePrecision): string {
  const { y, m, d } = parts(iso);
  switch (precision) {
    case 'day':
      return `${y}-${pad(m)}-${pad(d)}`;
    case 'month':
      return `${y}-${pad(m)}-${pad(lastDayOfMonth(y, m))}`;
    case 'quarter': {
      const end = Math.ceil(m / 3) * 3;
      return `${y}-${pad(end)}-${pad(lastDayOfMonth(y, end))}`;
    }
    case 'year':
      return `${y}-12-31`;
  }
}

/** The first day (`YYYY-MM-DD`) of the period of the given precision that contains `iso`. */
export function periodStart(iso: string, precision: DatePrecision): string {
  const { y, m, d } = parts(iso);
  switch (precision) {
    case 'day':
      return `${y}-${pad(m)}-${pad(d)}`;
    case 'month':
      return `${y}-${pad(m)}-01`;
    case 'quarter':
      return `${y}-${pad(Math.floor((m - 1) / 3) * 3 + 1)}-01`;
    case 'year':
      return `${y}-01-01`;
  }
}

/** Whether `iso` is the stored form of a date of this precision (the period's last day). */
export function fitsPrecision(iso: string, precision: DatePrecision): boolean {
  return periodEnd(iso, precision) === iso.slice(0, 10);
}

/** `2026-03-03` → `3 March 2026`: a day-precise date as a person reads it. */
export function humanDay(iso: string): string {
  const { y, m, d } = parts(iso);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/**
 * A date as far as it is known: `3 March 2026`, `March 2028`, `Q1 2028`, `2028`. A date that does
 * not sit at its period's end is shown as a day (it was never stored by this precision's rule).
 */
export function humanDateAt(iso: string, precision: DatePrecision = 'day'): string {
  if (precision === 'day' || !fitsPrecision(iso, precision)) return humanDay(iso);
  const { y, m } = parts(iso);
  if (precision === 'month') return `${MONTHS[m - 1]} ${y}`;
  if (precision === 'quarter') return `Q${Math.ceil(m / 3)} ${y}`;
  return String(y);
}

/** Prefix that reads naturally before a date of this precision: "on 3 March 2026", "in March 2028". */
export function onOrIn(precision: DatePrecision = 'day'): 'on' | 'in' {
  return precision === 'day' ? 'on' : 'in';
}

/** `YYYY-MM-DD` of a Date's UTC day. */
export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
