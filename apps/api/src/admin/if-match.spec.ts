import { ValidationError } from '@pledgewatch/problems';
import { etag, parseIfMatch } from './if-match';

describe('parseIfMatch', () => {
  it.each([
    ['3', 3],
    ['"3"', 3],
    ['W/"3"', 3],
    [' "12" ', 12],
    [etag(7), 7],
  ])('reads %p as version %p', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it('treats an absent header and * as no precondition', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
  });

  it.each(['', 'abc', '"3', '3"', '"1", "2"', '0', '-1', '1.5', 'W/3x', '99999999999'])('rejects %p with a 400', (header) => {
    expect(() => parseIfMatch(header)).toThrow(ValidationError);
  });
});
