import { randomUUID } from 'node:crypto';
import {
  hashSingleUseToken,
  isLinkExpired,
  isSingleUseTokenShaped,
  linkExpiryDay,
  newSingleUseToken,
  readLinkToken,
  signLinkToken,
  verifyLinkToken,
} from './link-tokens';

describe('link tokens', () => {
  const secret = 's'.repeat(40);
  const id = randomUUID();
  const DAY = 24 * 3600 * 1000;
  const claims = { subscriberId: id, expiryDay: linkExpiryDay(90) };

  it('carries the subscriber id and expiry, and verifies for the purpose and generation it was signed for', () => {
    const token = signLinkToken(secret, 'unsubscribe', claims, 0);
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(readLinkToken(token)).toEqual(claims);
    expect(verifyLinkToken(secret, 'unsubscribe', token, 0)).toBe(true);
  });

  it('refuses another purpose, secret or link generation, a tampered id, expiry or signature', () => {
    const token = signLinkToken(secret, 'unsubscribe', claims, 3);
    expect(verifyLinkToken(secret, 'unsubscribe', token, 3)).toBe(true);
    expect(verifyLinkToken(secret, 'manage', token, 3)).toBe(false);
    expect(verifyLinkToken('t'.repeat(40), 'unsubscribe', token, 3)).toBe(false);
    // Revoked: the subscriber's generation moved on.
    expect(verifyLinkToken(secret, 'unsubscribe', token, 4)).toBe(false);
    const [idPart, day, macPart] = token.split('.');
    const other = signLinkToken(secret, 'unsubscribe', { ...claims, subscriberId: randomUUID() }, 3);
    expect(verifyLinkToken(secret, 'unsubscribe', `${other.split('.')[0]}.${day}.${macPart}`, 3)).toBe(false);
    expect(verifyLinkToken(secret, 'unsubscribe', `${idPart}.${Number(day) + 365}.${macPart}`, 3)).toBe(false);
    expect(verifyLinkToken(secret, 'unsubscribe', `${idPart}.0${day}.${macPart}`, 3)).toBe(false);
    expect(verifyLinkToken(secret, 'unsubscribe', `${idPart}.${day}.${macPart[0] === 'A' ? 'B' : 'A'}${macPart.slice(1)}`, 3)).toBe(false);
    expect(verifyLinkToken(secret, 'unsubscribe', 'garbage', 3)).toBe(false);
    expect(verifyLinkToken(secret, 'unsubscribe', '', 3)).toBe(false);
  });

  it('expires at the start of its expiry day, at least the TTL after it was issued', () => {
    const now = Date.UTC(2026, 11, 7, 21, 30);
    const day = linkExpiryDay(90, now);
    expect(day * DAY - now).toBeGreaterThanOrEqual(90 * DAY);
    expect(day * DAY - now).toBeLessThan(91 * DAY);
    expect(isLinkExpired({ subscriberId: id, expiryDay: day }, now + 90 * DAY)).toBe(false);
    expect(isLinkExpired({ subscriberId: id, expiryDay: day }, day * DAY)).toBe(true);
  });

  it('accepts only the one spelling it signed, whatever the spare bits of the last characters', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let round = 0; round < 50; round++) {
      const token = signLinkToken(secret, 'manage', { subscriberId: randomUUID(), expiryDay: claims.expiryDay }, 0);
      const [idPart, day, macPart] = token.split('.');
      for (const c of alphabet) {
        const lastOfMac = `${idPart}.${day}.${macPart.slice(0, -1)}${c}`;
        const lastOfId = `${idPart.slice(0, -1)}${c}.${day}.${macPart}`;
        if (lastOfMac !== token) expect(verifyLinkToken(secret, 'manage', lastOfMac, 0)).toBe(false);
        if (lastOfId !== token) expect(verifyLinkToken(secret, 'manage', lastOfId, 0)).toBe(false);
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
