import { z } from 'zod';

/**
 * The input boundary's rules for text and dates, in one place: every request schema (bodies,
 * query parameters) builds its strings and dates from these, and the API's global guard applies
 * `textProblem` to every path parameter, query value and body string whatever the route.
 * PostgreSQL refuses NUL in text and has no year 0; a lone surrogate or a control character
 * stored in a title ends up in emails, feeds and headers.
 */

/** Where a piece of text may go: one line (titles, names, codes, slugs, emails) or several (summaries, notes). */
export type TextKind = 'single-line' | 'multi-line';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0 controls, DEL, C1 controls and the Unicode line and paragraph separators. */
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** The same, except tab and line feed. */
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

export interface TextProblem {
  code: 'invalid_unicode' | 'control_character';
  message: string;
}

/** Why `value` is refused as text of that kind, or null when it is acceptable. */
export function textProblem(value: string, kind: TextKind): TextProblem | null {
  if (LONE_SURROGATE.test(value)) return { code: 'invalid_unicode', message: 'must be valid Unicode (it has a lone surrogate)' };
  if (value.includes('\u0000')) return { code: 'control_character', message: 'must not contain NUL (U+0000)' };
  if (kind === 'single-line' && SINGLE_LINE_FORBIDDEN.test(value)) {
    return { code: 'control_character', message: 'must be one line, without control characters' };
  }
  if (kind === 'multi-line' && MULTI_LINE_FORBIDDEN.test(value)) {
    return { code: 'control_character', message: 'must not contain control characters other than tab and line feed' };
  }
  return null;
}

/** A zod check for `textProblem` (`z.string().check(textRule('single-line'))`); the field error's `code` is the problem's. */
export function textRule(kind: TextKind) {
  return (ctx: z.core.ParsePayload<string>) => {
    const problem = textProblem(ctx.value, kind);
    if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem.message, params: { code: problem.code } });
  };
}

/**
 * Bidirectional formatting controls: embeddings and overrides (U+202A–U+202E), isolates
 * (U+2066–U+2069), the implicit marks (U+200E, U+200F, U+061C). In a title they can make text
 * display as something else ("Trojan Source"), in subjects, pages, feeds and CSV alike.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Refused in one-line fields (`bidi_control`, answered 422 by `parse`): a name or title never needs them. */
function bidiRule(ctx: z.core.ParsePayload<string>): void {
  BIDI_CONTROLS.lastIndex = 0;
  if (BIDI_CONTROLS.test(ctx.value)) {
    ctx.issues.push({ code: 'custom', input: ctx.value, message: 'must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)', params: { code: 'bidi_control' } });
  }
}

/** Multi-line prose (a pasted quote may carry them) keeps its words and loses the controls. */
export const stripBidiControls = (value: string): string => value.replace(BIDI_CONTROLS, '');

/**
 * Any string that passes the text rule of its kind (checked before trimming, so nothing is hidden
 * by it); one-line text also refuses bidirectional controls, multi-line text has them removed.
 */
export const safeString = (kind: TextKind = 'single-line') =>
  kind === 'single-line' ? z.string().check(textRule(kind), bidiRule) : z.string().check(textRule(kind)).overwrite(stripBidiControls);

/** A required one-line string: trimmed, not empty, at most `max` characters. */
export const singleLine = (max: number) => safeString('single-line').trim().min(1, 'must not be empty').max(max);

/** A required multi-line string (tab and line feed allowed): trimmed, not empty, at most `max` characters. */
export const multiLine = (max: number) => safeString('multi-line').trim().min(1, 'must not be empty').max(max);

// ---------------------------------------------------------------------------------------------
// Dates

/** Every date the API takes or stores lies in this range (inclusive), as a calendar day in UTC. */
export const DATE_RANGE = { min: '1900-01-01', max: '2100-12-31' } as const;
const MIN_MS = Date.parse(`${DATE_RANGE.min}T00:00:00.000Z`);
const MAX_MS = Date.parse(`${DATE_RANGE.max}T23:59:59.999Z`);

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RANGE_MESSAGE = `must be between ${DATE_RANGE.min} and ${DATE_RANGE.max}`;

/** `invalid_format` as zod names a malformed value; `date_out_of_range` outside DATE_RANGE. */
export type DateProblem = { code: 'invalid_format' | 'date_out_of_range'; message: string };

/** `YYYY-MM-DD` as midnight UTC, or why it is not a day the API accepts (no 2025-02-29, no year 0). */
export function parseCalendarDay(raw: string): Date | DateProblem {
  const match = DAY.exec(raw);
  if (!match) return { code: 'invalid_format', message: 'must be a calendar date, YYYY-MM-DD' };
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  date.setUTCFullYear(Number(match[1])); // Date.UTC maps years 0–99 to 1900–1999
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) {
    return { code: 'invalid_format', message: 'must be a date that exists, YYYY-MM-DD' };
  }
  if (date.getTime() < MIN_MS || date.getTime() > MAX_MS) return { code: 'date_out_of_range', message: RANGE_MESSAGE };
  return date;
}

/** For trusted sources (the seed): the same rule, thrown as an Error naming the value. */
export function calendarDayOrThrow(raw: string): Date {
  const parsed = parseCalendarDay(raw);
  if (!(parsed instanceof Date)) throw new Error(`"${raw}" ${parsed.message}`);
  return parsed;
}

type IssueSink = { addIssue(issue: { code: 'custom'; input: unknown; message: string; params: { code: string } }): void };

function dateIssue(ctx: IssueSink, raw: string, problem: DateProblem): void {
  ctx.addIssue({ code: 'custom', input: raw, message: problem.message, params: { code: problem.code } });
}

/** `YYYY-MM-DD`, a real day within DATE_RANGE, kept as the string. */
export const calendarDayString = () =>
  safeString().superRefine((raw, ctx) => {
    const parsed = parseCalendarDay(raw);
    if (!(parsed instanceof Date)) dateIssue(ctx, raw, parsed);
  });

/** `YYYY-MM-DD`, a real day within DATE_RANGE, as the Date Prisma stores in a `@db.Date` column: midnight UTC. */
export const calendarDate = () => calendarDayString().transform((raw) => parseCalendarDay(raw) as Date);

const INSTANT = z.iso.datetime({ offset: true });

/**
 * A calendar day (`2024-06-30`, midnight UTC) or an instant with a zone
 * (`2024-06-30T09:00:00+09:00`), within DATE_RANGE.
 */
export const dayOrInstant = () =>
  safeString().transform((raw, ctx): Date => {
    if (DAY.test(raw)) {
      const parsed = parseCalendarDay(raw);
      if (parsed instanceof Date) return parsed;
      dateIssue(ctx, raw, parsed);
      return z.NEVER;
    }
    const ms = INSTANT.safeParse(raw).success ? Date.parse(raw) : NaN;
    if (Number.isNaN(ms)) {
      dateIssue(ctx, raw, {
        code: 'invalid_format',
        message: 'must be a date (2024-06-30) or an instant with a time zone (2024-06-30T09:00:00Z)',
      });
      return z.NEVER;
    }
    if (ms < MIN_MS || ms > MAX_MS) {
      dateIssue(ctx, raw, { code: 'date_out_of_range', message: RANGE_MESSAGE });
      return z.NEVER;
    }
    return new Date(ms);
  });
