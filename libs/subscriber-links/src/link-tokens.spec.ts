import { randomUUID } from 'node:crypto';
import { hashSingleUseToken, isSingleUseTokenShaped, newSingleUseToken, signLinkToken, verifyLinkToken } from './link-tokens';

describe('link tokens', () => {
  const secret = 's'.repeat(40);
  const id = randomUUID();

  it('round-trips the subscriber id for the purpose it was signed for', () => {
    const token = signLinkToken(secret, 'unsubscribe', id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(verifyLinkToken(secret, 'unsubscribe', token)).toBe(id);
  });

  it('refuses another purpose, another secret, a tampered id or signature', () => {
    const token = signLinkToken(secret, 'unsubscribe', id);
    expect(verifyLinkToken(secret, 'manage', token)).toBeNull();
    expect(verifyLinkToken('t'.repeat(40), 'unsubscribe', token)).toBeNull();
    const other = signLinkToken(secret, 'unsubscribe', randomUUID());
    expect(verifyLinkToken(secret, 'unsubscribe', `${other.split('.')[0]}.${token.split('.')[1]}`)).toBeNull();
    expect(verifyLinkToken(secret, 'unsubscribe', `${token.slice(0, 30)}${token[30] === 'A' ? 'B' : 'A'}${token.slice(31)}`)).toBeNull();
    expect(verifyLinkToken(secret, 'unsubscribe', 'garbage')).toBeNull();
    expect(verifyLinkToken(secret, 'unsubscribe', '')).toBeNull();
  });

  it('accepts only the one spelling it signed, whatever the spare bits of the last characters', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let round = 0; round < 50; round++) {
      const token = signLinkToken(secret, 'manage', randomUUID());
      const [idPart, macPart] = token.split('.');
      for (const c of alphabet) {
        const lastOfMac = `${idPart}.${macPart.slice(0, -1)}${c}`;
        const lastOfId = `${idPart.slice(0, -1)}${c}.${macPart}`;
        if (lastOfMac !== token) expect(verifyLinkToken(secret, 'manage', lastOfMac)).toBeNull();
        if (lastOfId !== token) expect(verifyLinkToken(secret, 'manage', lastOfId)).toBeNull();
      }
    }
  });

  it('makes single-use tokens random and stores only their hash', () => {
    const a = newSingleUseToken();
    const b = newSingleUseToken();
    expect(a.token).not.toBe(b.token);
    expect(isSingleUseTokenShaped(a.token)).toBe(true);
    expect(a.hash).toBe(hashSingleUseToken(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.token);
  });
});
