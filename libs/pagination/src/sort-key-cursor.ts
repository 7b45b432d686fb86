import { InvalidCursorError } from './keyset-cursor';

/**
 * The kinds of value a sort key can hold, each kept in the cursor as the text PostgreSQL prints
 * for it (`key::text`) and compared back with a cast: no precision lost on the way (a `real`
 * rank prints its shortest exact form, a timestamp its microseconds).
 */
export type SortKeyKind = 'int' | 'real' | 'timestamp' | 'date' | 'text' | 'uuid';

const CHECKS: Record<SortKeyKind, (value: string) => boolean> = {
  int: (v) => /^-?\d{1,9}$/.test(v),
  real: (v) => /^-?(\d+(\.\d+)?(e[+-]?\d+)?|Infinity)$/.test(v),
  timestamp: (v) => {
    const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?$/.exec(v);
    return m !== null && validDay(m[1]) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 60;
  },
  date: (v) => v === 'infinity' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && validDay(v)),
  text: (v) => v.length <= 1000 && !v.includes('\u0000'),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};

function validDay(day: string): boolean {
  const at = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === day;
}

const BASE64URL = /^[A-Za-z0-9_-]{1,1400}$/;

/**
 * Opaque cursors for keyset pagination over several sort keys (a list that can be sorted more than
 * one way): base64url of `[list, sort, ...keys]`. A cursor names the list and the sort it was cut
 * for, so one issued for another list or another order is refused rather than misread; every key
 * is checked against its kind before it reaches SQL.
 */
export class SortKeyCursor {
  constructor(private readonly list: string) {}

  encode(sort: string, keys: readonly string[]): string {
    return Buffer.from(JSON.stringify([this.list, sort, ...keys])).toString('base64url');
  }

  /** Throws InvalidCursorError (400 invalid_cursor) for anything encode() did not write for this list and sort. */
  decode(cursor: string, sort: string, kinds: readonly SortKeyKind[]): string[] {
    if (!BASE64URL.test(cursor)) throw new InvalidCursorError();
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidCursorError();
    }
    if (!Array.isArray(decoded) || decoded.length !== kinds.length + 2) throw new InvalidCursorError();
    const [list, sorted, ...keys] = decoded as unknown[];
    if (list !== this.list || sorted !== sort) throw new InvalidCursorError();
    if (!keys.every((key, i) => typeof key === 'string' && CHECKS[kinds[i]](key))) throw new InvalidCursorError();
    return keys as string[];
  }
}
