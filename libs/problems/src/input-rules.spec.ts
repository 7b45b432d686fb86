import { z } from 'zod';
import { calendarDate, DATE_RANGE, dayOrInstant, multiLine, parseCalendarDay, singleLine, textProblem } from './input-rules';
import { fieldErrors, parse } from './parse';

const codes = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? [] : fieldErrors(result.error).map((e) => e.code);
};

describe('text rules', () => {
  it.each([
    ['NUL', 'a\u0000b', 'control_character'],
    ['a lone high surrogate', '\ud800x', 'invalid_unicode'],
    ['a lone low surrogate', 'x\udc00', 'invalid_unicode'],
  ])('refuse %s in any text', (_, value, code) => {
    expect(textProblem(value, 'single-line')?.code).toBe(code);
    expect(textProblem(value, 'multi-line')?.code).toBe(code);
  });

  it.each(['\u0001', '\u001b', '\r', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029'])('refuse control character %j in any text', (c) => {
    expect(textProblem(`a${c}b`, 'single-line')?.code).toBe('control_character');
    expect(textProblem(`a${c}b`, 'multi-line')?.code).toBe('control_character');
  });

  it('let tab and line feed into multi-line text only', () => {
    expect(textProblem('a\tb\nc', 'multi-line')).toBeNull();
    expect(textProblem('a\tb', 'single-line')?.code).toBe('control_character');
    expect(textProblem('a\nb', 'single-line')?.code).toBe('control_character');
  });

  it('take any valid Unicode otherwise: accents, CJK, emoji (a surrogate pair), U+FFFD itself', () => {
    expect(textProblem('Việt Nam — 日本 🇯🇵 \ufffd', 'single-line')).toBeNull();
  });

  it('check before trimming, so a trailing line break is refused, not hidden', () => {
    expect(codes(singleLine(10), 'Title\n')).toEqual(['control_character']);
    expect(singleLine(10).parse('  Title  ')).toBe('Title');
    expect(multiLine(20).parse(' a\n\tb ')).toBe('a\n\tb');
  });
});

describe('bidirectional controls', () => {
  const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];

  it.each(BIDI)('refuses %j in one-line text as bidi_control, answered 422 naming the field', (c) => {
    expect(codes(singleLine(100), `Patrol ${c}sessev`)).toEqual(['bidi_control']);
    const schema = z.strictObject({ title: singleLine(100) });
    expect(() => parse(schema, { title: `Patrol ${c}sessev` })).toThrow(expect.objectContaining({ status: 422, code: 'bidi_control', details: { errors: [expect.objectContaining({ field: 'title', code: 'bidi_control' })] } }));
  });

  it.each(BIDI)('strips %j from multi-line text, keeping the words', (c) => {
    expect(multiLine(100).parse(`Five ${c}vessels\n${c}delivered${c}`)).toBe('Five vessels\ndelivered');
  });

  it('answers 400, not 422, when other errors come with it', () => {
    const schema = z.strictObject({ title: singleLine(100), count: z.number() });
    expect(() => parse(schema, { title: 'a\u202eb', count: 'x' })).toThrow(expect.objectContaining({ status: 400, code: 'validation_failed' }));
  });

  it('leaves right-to-left text itself alone', () => {
    expect(singleLine(100).parse('مرحبا עולם')).toBe('مرحبا עולם');
  });
});

describe('the date rule', () => {
  it(`takes real days from ${DATE_RANGE.min} to ${DATE_RANGE.max}`, () => {
    for (const day of [DATE_RANGE.min, DATE_RANGE.max, '2024-02-29', '2000-02-29']) {
      expect((parseCalendarDay(day) as Date).toISOString().slice(0, 10)).toBe(day);
    }
  });

  it.each([
    ['0000-01-01', 'date_out_of_range'],
    ['0099-06-30', 'date_out_of_range'],
    ['1899-12-31', 'date_out_of_range'],
    ['2101-01-01', 'date_out_of_range'],
    ['9999-12-31', 'date_out_of_range'],
    ['2023-02-29', 'invalid_format'],
    ['1900-02-29', 'invalid_format'],
    ['2024-04-31', 'invalid_format'],
    ['2024-13-01', 'invalid_format'],
    ['+002024-01-01', 'invalid_format'],
    ['2024-1-5', 'invalid_format'],
  ])('refuses %s (%s)', (day, code) => {
    expect(parseCalendarDay(day)).toMatchObject({ code });
    expect(codes(calendarDate(), day)).toEqual([code]);
  });

  it('applies to instants too', () => {
    expect(dayOrInstant().parse('2024-06-30T09:00:00+09:00').toISOString()).toBe('2024-06-30T00:00:00.000Z');
    expect(dayOrInstant().parse('2024-06-30').toISOString()).toBe('2024-06-30T00:00:00.000Z');
    expect(codes(dayOrInstant(), '0000-01-01T00:00:00Z')).toEqual(['date_out_of_range']);
    expect(codes(dayOrInstant(), '2101-01-01T00:00:00Z')).toEqual(['date_out_of_range']);
    expect(codes(dayOrInstant(), '2024-06-30T09:00:00')).toEqual(['invalid_format']);
  });
});
