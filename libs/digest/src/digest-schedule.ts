import type { Weekday } from '@pledgewatch/database';

/**
 * When a weekly digest is due: pure maths over IANA zones with `Intl.DateTimeFormat`.
 *
 * The clock is an hourly slot (the start of a UTC hour). A subscriber who chose weekday D at hour H
 * in zone Z is due in the slot S when the local wall clock passes D H:00 during (S − 1 h, S], i.e.
 * the wall time D H:00 lies in the half-open interval (wall(S − 1 h), wall(S)]. That one rule gives
 * every daylight-saving and odd-offset case an answer:
 *
 * - an ordinary hour: wall(S) = H:00 exactly, sent at H:00 local, before and after a DST change;
 * - a non-existent hour (spring-forward gap, e.g. 01:00 on the last Sunday of March in London): the
 *   wall clock jumps from 00:59 to 02:00 during one slot, which therefore covers 01:00 → sent at the
 *   next hour that exists (02:00 BST);
 * - a repeated hour (fall-back, e.g. 01:00 on the last Sunday of October in London): the second
 *   01:00 starts at the same wall time the first one did, so only the first slot covers it → sent once;
 * - a zone whose offset is not whole hours (Asia/Kolkata +05:30): 08:00 IST is 02:30 UTC, covered by
 *   the 03:00 UTC slot → sent at 08:30 local, never before the chosen hour.
 *
 * The week a digest belongs to (`digestWeek`, the de-duplication key) is the local calendar date of
 * that D H:00 wall time. Postgres applies the same rule in one query (digest-deliveries.repository.ts);
 * a spec sweeps both over DST changes and checks they agree.
 */

export const WEEKDAYS: readonly Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export interface DigestSchedule {
  timezone: string;
  digestDay: Weekday;
  digestHour: number;
}

/** A local wall-clock reading; `minutes` counts minutes since 1970-01-01 00:00 on that wall clock. */
export interface WallClock {
  date: string;
  weekday: Weekday;
  hour: number;
  minute: number;
  minutes: number;
}

export interface DueDigest {
  /** The slot (UTC hour start) in which the digest falls due. */
  slot: Date;
  /** The local date of the chosen weekday: the week's key. */
  digestWeek: string;
  /** The chosen local wall time, e.g. `2026-10-26 08:00`. */
  wallTime: string;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws a RangeError for an unknown zone; callers validate zones where they enter.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'long',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at `instant`. */
export function wallClock(instant: Date, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const [year, month, day, hour, minute] = [parts.year, parts.month, parts.day, parts.hour, parts.minute].map(Number);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: parts.weekday.toLowerCase() as Weekday,
    hour,
    minute,
    minutes: Date.UTC(year, month - 1, day, hour, minute) / MINUTE_MS,
  };
}

/** The start of the UTC hour an instant falls in. */
export function hourSlot(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS);
}

export function isHourSlot(instant: Date): boolean {
  return instant.getTime() % HOUR_MS === 0;
}

/** `slot` and the `count − 1` slots before it, oldest first. */
export function slotsEndingAt(slot: Date, count: number): Date[] {
  return Array.from({ length: count }, (_, i) => new Date(slot.getTime() - (count - 1 - i) * HOUR_MS));
}

function fromWallMinutes(minutes: number): { date: string; weekday: Weekday; hour: number; label: string } {
  const d = new Date(minutes * MINUTE_MS);
  const date = d.toISOString().slice(0, 10);
  const hour = d.getUTCHours();
  return { date, weekday: WEEKDAYS[(d.getUTCDay() + 6) % 7], hour, label: `${date} ${String(hour).padStart(2, '0')}:00` };
}

/**
 * The whole wall-clock hours that begin in (wall(slot − 1 h), wall(slot)] in a zone: usually one,
 * none during a repeated (fall-back) hour or between two half-hour steps, two across a spring gap.
 */
export function wallHoursDueAt(slot: Date, timeZone: string) {
  if (!isHourSlot(slot)) throw new RangeError(`not an hour slot: ${slot.toISOString()}`);
  const before = wallClock(new Date(slot.getTime() - HOUR_MS), timeZone).minutes;
  const now = wallClock(slot, timeZone).minutes;
  const hours = [];
  for (let m = Math.floor(before / 60) * 60 + 60; m <= now; m += 60) hours.push(fromWallMinutes(m));
  return hours;
}

/** The digest a subscriber falls due for in this slot, or null. */
export function digestDueAt(slot: Date, schedule: DigestSchedule): DueDigest | null {
  const hit = wallHoursDueAt(slot, schedule.timezone).find(
    (h) => h.weekday === schedule.digestDay && h.hour === schedule.digestHour,
  );
  return hit ? { slot, digestWeek: hit.date, wallTime: hit.label } : null;
}

/** The first slot at or after `from` in which the subscriber's digest falls due. */
export function nextDigestDue(from: Date, schedule: DigestSchedule): DueDigest {
  const start = Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS;
  // A week of slots, plus slack for a DST change inside it.
  for (let i = 0; i <= 7 * 24 + 2; i++) {
    const due = digestDueAt(new Date(start + i * HOUR_MS), schedule);
    if (due) return due;
  }
  throw new Error(`no digest slot within a week for ${JSON.stringify(schedule)}`);
}

/** The last slot at or before `asOf` in which the subscriber's digest fell due. */
export function previousDigestDue(asOf: Date, schedule: DigestSchedule): DueDigest {
  const start = hourSlot(asOf).getTime();
  for (let i = 0; i <= 7 * 24 + 2; i++) {
    const due = digestDueAt(new Date(start - i * HOUR_MS), schedule);
    if (due) return due;
  }
  throw new Error(`no digest slot within a week for ${JSON.stringify(schedule)}`);
}
