import { z } from 'zod';
import { calendarDayString, dayOrInstant, textRule } from '@pledgewatch/problems';

/**
 * Query-string parameters of the public API. Express's `simple` parser gives a string, or an array
 * when a parameter is repeated: lists are written once, comma-separated (`country=MY,PH`), and a
 * repeated parameter is refused rather than silently narrowed to one of its values.
 */

const MAX_LIST_ITEMS = 50;

/** For routes that take no parameters: anything given is refused as unknown, not ignored. */
export const NO_PARAMETERS = z.strictObject({});

/** One non-empty value, one line of valid Unicode (the global guard has checked the raw query too). */
export const single = () =>
  z
    .string({ error: 'give this parameter once; separate several values with commas' })
    .check(textRule('single-line'))
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
    return items;
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

/** A calendar date (`2024-06-30`, midnight UTC) or an instant with a zone (`2024-06-30T09:00:00+09:00`), within DATE_RANGE. */
export const dateOrInstant = () => single().pipe(dayOrInstant());

/** A calendar date, `2024-06-30`, within DATE_RANGE, kept as the string. */
export const calendarDayParam = () => single().pipe(calendarDayString());
