/** How every email (alert, digest, confirmation) words values: dates, status values, subjects, links. */

import { humanDay } from '@pledgewatch/dates';

/** `2026-11-30` (or an ISO instant, by its UTC date) → `30 November 2026`. */
export const humanDate = humanDay;

/** A status value as a person reads it: `off_track` → `off track`, a date → `30 June 2024`, nothing → `none`. */
export function humanValue(value: string | null): string {
  if (value === null || value.trim() === '') return 'none';
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}(T|$)/.test(v) && !Number.isNaN(Date.parse(v))) return humanDate(v);
  return v.replace(/_/g, ' ');
}

/** Headers stay on one line whatever an editor typed. */
export const oneLine = (s: string) => s.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();

/** Only http(s) links go into an href; anything else (javascript:, data:) is dropped. */
export function safeHttpUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}
