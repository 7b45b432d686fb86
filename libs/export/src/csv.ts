import { stringify } from 'csv-stringify/sync';

/** What a spreadsheet reads as the start of a formula (OWASP's list): =, +, -, @, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell's text with every line that a spreadsheet would run as a formula prefixed with `'`.
 * Per line, not per cell: a reader that starts a new row at a bare line feed (or a spreadsheet that
 * splits a pasted cell) sees each line as a cell start of its own.
 */
export function neutraliseFormulas(value: string): string {
  return value
    .split(/(\r\n|\r|\n)/)
    .map((part, i) => (i % 2 === 0 && FORMULA_START.test(part) ? `'${part}` : part))
    .join('');
}

/**
 * RFC 4180 rows: CRLF between records, and every field that holds a delimiter, a quote or any
 * line break (CR or LF alone too) quoted, so no reader starts a new row inside a field.
 */
export function csvRows(records: Record<string, string>[], columns: readonly string[], header: boolean): string {
  return stringify(records, {
    header,
    columns: [...columns],
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
    cast: { string: neutraliseFormulas },
  });
}
