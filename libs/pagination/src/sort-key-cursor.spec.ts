import { InvalidCursorError } from './keyset-cursor';
import { SortKeyCursor } from './sort-key-cursor';

const ID = '0b6f3b1e-5f4c-4d43-9a55-2f3c1f0e9a10';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('SortKeyCursor', () => {
  const codec = new SortKeyCursor('workstreams');

  it.each([
    ['severity', ['int', 'timestamp', 'uuid'], ['2', '2024-06-30 12:34:56.789', ID]],
    ['relevance', ['real', 'uuid'], ['0.0607927', ID]],
    ['due', ['date', 'uuid'], ['infinity', ID]],
    ['title', ['text', 'uuid'], ['Japan–Philippines, "coast" guard', ID]],
  ] as const)('round-trips the keys of a %s sort as an opaque base64url string', (sort, kinds, keys) => {
    const cursor = codec.encode(sort, keys);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.decode(cursor, sort, kinds)).toEqual(keys);
  });

  const TITLE = ['text', 'uuid'] as const;
  const SEVERITY = ['int', 'timestamp', 'uuid'] as const;
  it.each([
    ['garbage', 'not a cursor!', 'title', TITLE],
    ['not JSON', Buffer.from('nope').toString('base64url'), 'title', TITLE],
    ['another list', new SortKeyCursor('events').encode('title', ['A', ID]), 'title', TITLE],
    ['another sort', codec.encode('changed', ['A', ID]), 'title', TITLE],
    ['too few keys', codec.encode('title', [ID]), 'title', TITLE],
    ['a key of the wrong kind', b64(['workstreams', 'title', 'A', 'not-a-uuid']), 'title', TITLE],
    ['a number where text is kept', b64(['workstreams', 'title', 5, ID]), 'title', TITLE],
    ['an impossible day', codec.encode('due', ['2024-02-31', ID]), 'due', ['date', 'uuid'] as const],
    ['an impossible time', codec.encode('severity', ['1', '2024-06-30 25:00:00', ID]), 'severity', SEVERITY],
    ['an int too large for SQL', codec.encode('severity', ['99999999999', '2024-06-30 12:00:00', ID]), 'severity', SEVERITY],
  ] as const)('refuses %s with invalid_cursor', (_label, cursor, sort, kinds) => {
    expect(() => codec.decode(cursor, sort, kinds)).toThrow(InvalidCursorError);
  });
});
