import { DomainError, isUuid } from '@pledgewatch/problems';

/** The sort key of the last item on a page; the next page starts strictly after it. */
export interface KeysetPosition {
  at: Date;
  id: string;
}

export class InvalidCursorError extends DomainError {
  constructor() {
    super('invalid_cursor', 400, 'The cursor is not one this list issued; start again from the first page without it.', {
      errors: [{ field: 'cursor', code: 'invalid_cursor', message: 'not a cursor of this list' }],
    });
  }
}

const BASE64URL = /^[A-Za-z0-9_-]{1,400}$/;

/**
 * Opaque cursors for keyset pagination over (timestamp desc, id desc): base64url of
 * `[list, ISO instant, id]`. The list name stops a cursor issued by one list from being replayed
 * on another, where its sort key would mean something else.
 */
/** What CursorCodec.after answers: a Prisma `where` fragment, empty on the first page. */
export interface KeysetAfter<F extends string> {
  OR?: (Record<F, { lt: Date }> | (Record<F, Date> & { id: { lt: string } }))[];
}

export class CursorCodec {
  constructor(private readonly list: string) {}

  encode(position: KeysetPosition): string {
    return Buffer.from(JSON.stringify([this.list, position.at.toISOString(), position.id])).toString('base64url');
  }

  /** Throws InvalidCursorError (400 invalid_cursor) for anything encode() did not produce for this list. */
  decode(cursor: string): KeysetPosition {
    if (!BASE64URL.test(cursor)) throw new InvalidCursorError();
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidCursorError();
    }
    if (!Array.isArray(decoded) || decoded.length !== 3) throw new InvalidCursorError();
    const [list, instant, id] = decoded as unknown[];
    if (list !== this.list || typeof instant !== 'string' || typeof id !== 'string' || !isUuid(id)) {
      throw new InvalidCursorError();
    }
    const at = new Date(instant);
    // Only the exact form encode() writes: no lenient date parsing of hand-made cursors.
    if (Number.isNaN(at.getTime()) || at.toISOString() !== instant) throw new InvalidCursorError();
    return { at, id: id.toLowerCase() };
  }

  /**
   * The Prisma `where` for the rows after `cursor` in a list ordered by (`field` desc, id desc):
   * an earlier instant, or the same instant and a smaller id. `{}` on the first page (no cursor).
   */
  after<F extends string>(cursor: string | undefined, field: F): KeysetAfter<F> {
    if (cursor === undefined) return {};
    const { at, id } = this.decode(cursor);
    return { OR: [{ [field]: { lt: at } } as Record<F, { lt: Date }>, { [field]: at, id: { lt: id } } as Record<F, Date> & { id: { lt: string } }] };
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Cuts a page from rows fetched with `take: limit + 1`: the extra row only says that another page
 * exists, and the cursor is the sort key of the last row shown.
 */
export function toPage<T>(rows: T[], limit: number, codec: CursorCodec, keyOf: (row: T) => KeysetPosition): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? codec.encode(keyOf(last)) : null };
}
