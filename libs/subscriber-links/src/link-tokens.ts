import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isUuid } from '@pledgewatch/problems';

/**
 * Two kinds of token travel in email links.
 *
 * - Stateless link tokens (unsubscribe, manage): `<subscriber id>.<HMAC-SHA256(purpose, id)>`,
 *   base64url. They cost nothing per email (an alert fan-out signs 100,000) and stay valid for as
 *   long as LINK_SECRET does, which is what an unsubscribe link in a months-old email needs.
 * - Single-use tokens (confirm a subscription, apply a change): 32 random bytes; only their
 *   SHA-256 is stored (SubscriberToken), with an expiry and a used-at mark.
 */
export type LinkPurpose = 'unsubscribe' | 'manage';

const LINK_TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const SINGLE_USE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

function mac(secret: string, purpose: LinkPurpose, subscriberId: string): Buffer {
  return createHmac('sha256', secret).update(`pledgewatch:link:v1:${purpose}:${subscriberId.toLowerCase()}`).digest();
}

export function signLinkToken(secret: string, purpose: LinkPurpose, subscriberId: string): string {
  if (!isUuid(subscriberId)) throw new Error(`not a subscriber id: ${subscriberId}`);
  const id = Buffer.from(subscriberId.replace(/-/g, ''), 'hex').toString('base64url');
  return `${id}.${mac(secret, purpose, subscriberId).toString('base64url')}`;
}

/**
 * The subscriber id a link token was signed for, or null when it is malformed or forged.
 *
 * The whole token is compared with the one we would sign, not the decoded bytes: base64url of 16
 * and 32 bytes leaves spare bits in the last character, so decoding alone would accept several
 * spellings of one token.
 */
export function verifyLinkToken(secret: string, purpose: LinkPurpose, token: string): string | null {
  const match = LINK_TOKEN.exec(token);
  if (!match) return null;
  const hex = Buffer.from(match[1], 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  const subscriberId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const given = Buffer.from(token);
  const expected = Buffer.from(signLinkToken(secret, purpose, subscriberId));
  return given.length === expected.length && timingSafeEqual(given, expected) ? subscriberId : null;
}

export function hashSingleUseToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newSingleUseToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSingleUseToken(token) };
}

export function isSingleUseTokenShaped(token: string): boolean {
  return SINGLE_USE_TOKEN.test(token);
}
