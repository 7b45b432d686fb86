import { API_KEY_PATTERN, apiKeyPrefix, bearerToken, generateApiKey, hashApiKey, sameSecret } from './api-key';

describe('API keys', () => {
  it('are pw_ + 32 random bytes in base64url, stored as a SHA-256 hash and a display prefix', () => {
    const { key, hash, prefix } = generateApiKey();
    expect(key).toMatch(API_KEY_PATTERN);
    expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashApiKey(key));
    expect(prefix).toBe(key.slice(0, 11));
    expect(apiKeyPrefix(key)).toBe(prefix);
    expect(hash).not.toContain(key.slice(3));
  });

  it('never repeat', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  it('compares secrets of any length', () => {
    expect(sameSecret('a-long-bootstrap-secret-value', 'a-long-bootstrap-secret-value')).toBe(true);
    expect(sameSecret('a-long-bootstrap-secret-valuE', 'a-long-bootstrap-secret-value')).toBe(false);
    expect(sameSecret('short', 'a-long-bootstrap-secret-value')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer pw_abc', 'pw_abc'],
    ['bearer pw_abc', 'pw_abc'],
    ['Bearer  pw_abc ', 'pw_abc'],
    ['Bearer abc+/def==', 'abc+/def=='],
  ])('reads %p', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'pw_abc', 'Bearer a b', 'Bearer ä', `Bearer ${'a'.repeat(513)}`])(
    'rejects %p',
    (header) => {
      expect(bearerToken(header)).toBeNull();
    },
  );
});
