import { z } from 'zod';

/**
 * Query-string parameters of the public API. Express's `simple` parser gives a string, or an array
 * when a parameter is repeated: lists are written once, comma-separated (`country=MY,PH`), and a
 * repeated parameter is refused rather than silently narrowed to one of its values.
 */

const MAX_LIST_ITEMS = 50;

/** For routes that take no parameters: anything given is refused as unknown, not ignored. */
export const NO_PARAMETERS = z.strictObject({});

/** One non-empty value. */
export const single = () =>
  z
    .string({ error: 'give this parameter once; separate several values with commas' })
    .trim()
    .min(1, 'must not be empty');

const quoted = (items: string[]) => items.map((item) => JSON.stringify(item)).join(', ');

function splitList(raw: string): string[] {
  return [...new Set(raw.split(',').map((item) => item.trim()))];
}

/** A comma-separated list, each value one of `values`. */
export function enumList<const T extends readonly string[]>(values: T, noun: string) {
  return single().transform((raw, ctx): T[number][] => {
    const items = splitList(raw);
    const bad = items.filter((item) => !values.includes(item));
    if (bad.length) {
      ctx.addIssue({
        code: 'invalid_value',
        values: [...values],
        input: raw,
        message: `${quoted(bad)} ${bad.length === 1 ? 'is' : 'are'} not ${noun}; expected ${values.join(', ')}`,
      });
      return z.NEVER;
    }
    return items as T[number][];
  });
}

/** A comma-separated list of values matching `pattern`, each passed through `normalise`. */
export function patternList(pattern: RegExp, noun: string, normalise: (item: string) => string = (item) => item) {
  return single().transform((raw, ctx): string[] => {
    const items = splitList(raw);
    const bad = items.filter((item) => !pattern.test(item));
    if (bad.length) {
      ctx.addIssue({
        code: 'invalid_format',
        format: 'regex',
        pattern: pattern.source,
        input: raw,
        message: `${quoted(bad)} ${bad.length === 1 ? 'is' : 'are'} not ${noun}`,
      });
      return z.NEVER;
    }
    if (items.length > MAX_LIST_ITEMS) {
      ctx.addIssue({ code: 'too_big', maximum: MAX_LIST_ITEMS, origin: 'array', input: raw, message: `at most ${MAX_LIST_ITEMS} values` });
      return z.NEVER;
    }
    return [...new Set(items.map(normalise))];
  });
}

/** ISO 3166-1 alpha-2 codes, any case: `country=my,PH` → ['MY', 'PH']. */
export const countryList = () => patternList(/^[A-Za-z]{2}$/, 'a two-letter country code', (code) => code.toUpperCase());

/** Slugs are matched exactly; one that names nothing simply matches nothing. */
export const slugList = (noun: string) => patternList(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, noun);

/** Page size, 1..100. */
export const limit = () =>
  single()
    .regex(/^\d+$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().min(1, 'must be a whole number from 1 to 100').max(100, 'must be a whole number from 1 to 100'))
    .default(20);

/** A nextCursor from the previous page; its contents are checked where it is decoded. */
export const cursor = () => single().max(400, 'is not a cursor this API issued');

/** `2024-02-30` matches the pattern but is no day. */
export function isCalendarDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = z.iso.datetime({ offset: true });

/** A calendar date (`2024-06-30`, midnight UTC) or an instant with a zone (`2024-06-30T09:00:00+09:00`). */
export const dateOrInstant = () =>
  single().transform((raw, ctx): Date => {
    const day = DAY.exec(raw);
    const date = day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : new Date(raw);
    const valid = day ? !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === raw : INSTANT.safeParse(raw).success;
    if (!valid) {
      ctx.addIssue({
        code: 'invalid_format',
        format: 'datetime',
        input: raw,
        message: 'must be a date (2024-06-30) or an instant with a time zone (2024-06-30T09:00:00Z)',
      });
      return z.NEVER;
    }
    return date;
  });
