import { CursorCodec, InvalidCursorError, toPage } from './keyset-cursor';

const ID = '0b6f3b1e-5f4c-4d43-9a55-2f3c1f0e9a10';
const AT = new Date('2024-06-30T12:34:56.789Z');

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('CursorCodec', () => {
  const codec = new CursorCodec('workstreams');

  it('round-trips a position to an opaque base64url string', () => {
    const cursor = codec.encode({ at: AT, id: ID });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(ID);
    expect(codec.decode(cursor)).toEqual({ at: AT, id: ID });
  });

  it('keeps millisecond precision, which the keyset comparison depends on', () => {
    const at = new Date('2023-12-17T00:00:00.001Z');
    expect(codec.decode(codec.encode({ at, id: ID })).at.getTime()).toBe(at.getTime());
  });

  it.each([
    ['an empty string', ''],
    ['characters outside base64url', 'abc+/='],
    ['base64url that is not JSON', Buffer.from('not json').toString('base64url')],
    ['JSON of the wrong shape', Buffer.from(JSON.stringify({ at: AT, id: ID })).toString('base64url')],
    ['a wrong number of parts', Buffer.from(JSON.stringify(['workstreams', AT.toISOString()])).toString('base64url')],
    ['an id that is not a uuid', Buffer.from(JSON.stringify(['workstreams', AT.toISOString(), '42'])).toString('base64url')],
    ['an instant that is not a date', Buffer.from(JSON.stringify(['workstreams', 'yesterday', ID])).toString('base64url')],
    ['an instant not in the written form', Buffer.from(JSON.stringify(['workstreams', '2024-06-30', ID])).toString('base64url')],
    ['a cursor of another list', new CursorCodec('events').encode({ at: AT, id: ID })],
    ['an overlong string', 'A'.repeat(401)],
  ])('refuses %s with invalid_cursor', (_label, cursor) => {
    const error = thrownBy(() => codec.decode(cursor));
    expect(error).toBeInstanceOf(InvalidCursorError);
    expect(error).toMatchObject({ code: 'invalid_cursor', status: 400 });
  });
});

describe('CursorCodec.after', () => {
  const codec = new CursorCodec('events');

  it('is no condition on the first page', () => {
    expect(codec.after(undefined, 'occurredAt')).toEqual({});
  });

  it('starts strictly after the cursor: an earlier instant, or the same instant and a smaller id', () => {
    expect(codec.after(codec.encode({ at: AT, id: ID }), 'occurredAt')).toEqual({
      OR: [{ occurredAt: { lt: AT } }, { occurredAt: AT, id: { lt: ID } }],
    });
  });

  it('refuses a cursor of another list', () => {
    expect(() => codec.after(new CursorCodec('workstreams').encode({ at: AT, id: ID }), 'createdAt')).toThrow(InvalidCursorError);
  });
});

describe('toPage', () => {
  const codec = new CursorCodec('things');
  const rows = [1, 2, 3].map((n) => ({ id: `00000000-0000-4000-8000-00000000000${n}`, at: new Date(Date.UTC(2024, 0, n)) }));
  const keyOf = (row: (typeof rows)[number]) => ({ at: row.at, id: row.id });

  it('cuts the look-ahead row and points the cursor at the last row shown', () => {
    const page = toPage(rows, 2, codec, keyOf);
    expect(page.items).toEqual(rows.slice(0, 2));
    expect(codec.decode(page.nextCursor!)).toEqual(keyOf(rows[1]));
  });

  it('answers a null cursor on the last page', () => {
    expect(toPage(rows, 3, codec, keyOf)).toEqual({ items: rows, nextCursor: null });
    expect(toPage([], 3, codec, keyOf)).toEqual({ items: [], nextCursor: null });
  });
});
