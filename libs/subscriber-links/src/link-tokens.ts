import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isUuid } from '@pledgewatch/problems';

/**
 * Two kinds of token travel in email links.
 *
 * - Stateless link tokens (unsubscribe, manage): `<subscriber id>.<expiry day>.<HMAC-SHA256>`,
 *   the id base64url, the expiry in days since 1970-01-01 (UTC). The HMAC covers the purpose, the
 *   id, the expiry and the subscriber's link generation (Subscriber.linkEpoch, not in the token):
 *   they cost nothing per email (an alert fan-out signs 100,000), expire after LINK_TTL_DAYS, and
 *   raising the subscriber's generation revokes every link sent so far.
 * - Single-use tokens (confirm a subscription, apply a change): 32 random bytes; only their
 *   SHA-256 is stored (SubscriberToken), with an expiry and a used-at mark.
 */
export type LinkPurpose = 'unsubscribe' | 'manage';

const DAY_MS = 24 * 3600 * 1000;
const LINK_TOKEN = /^([A-Za-z0-9_-]{22})\.([1-9][0-9]{0,6})\.([A-Za-z0-9_-]{43})$/;
const SINGLE_USE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A link token's claims, before its signature is checked against the subscriber's generation. */
export interface LinkClaims {
  subscriberId: string;
  /** Days since the epoch: the link works until the start of that UTC day. */
  expiryDay: number;
}

function mac(secret: string, purpose: LinkPurpose, claims: LinkClaims, epoch: number): Buffer {
  return createHmac('sha256', secret)
    .update(`pledgewatch:link:v2:${purpose}:${claims.subscriberId.toLowerCase()}:${claims.expiryDay}:${epoch}`)
    .digest();
}

/** The expiry day of a link issued at `now` that must work for at least `ttlDays`. */
export function linkExpiryDay(ttlDays: number, now = Date.now()): number {
  return Math.ceil(now / DAY_MS) + ttlDays;
}

export function signLinkToken(secret: string, purpose: LinkPurpose, claims: LinkClaims, epoch: number): string {
  if (!isUuid(claims.subscriberId)) throw new Error(`not a subscriber id: ${claims.subscriberId}`);
  if (!Number.isSafeInteger(claims.expiryDay) || claims.expiryDay < 1 || claims.expiryDay > 9_999_999) throw new Error(`not an expiry day: ${claims.expiryDay}`);
  const id = Buffer.from(claims.subscriberId.replace(/-/g, ''), 'hex').toString('base64url');
  return `${id}.${claims.expiryDay}.${mac(secret, purpose, claims, epoch).toString('base64url')}`;
}

/** What a link token claims (subscriber, expiry), or null when it is not shaped like one. Unverified. */
export function readLinkToken(token: string): LinkClaims | null {
  const match = LINK_TOKEN.exec(token);
  if (!match) return null;
  const hex = Buffer.from(match[1], 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  const subscriberId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { subscriberId, expiryDay: Number(match[2]) };
}

/**
 * True when the token is the one we would sign for this purpose and the subscriber's current link
 * generation. The whole token is compared with the one we would sign, not the decoded bytes:
 * base64url of 16 and 32 bytes leaves spare bits in the last character, so decoding alone would
 * accept several spellings of one token.
 */
export function verifyLinkToken(secret: string, purpose: LinkPurpose, token: string, epoch: number): boolean {
  const claims = readLinkToken(token);
  if (!claims) return false;
  const given = Buffer.from(token);
  const expected = Buffer.from(signLinkToken(secret, purpose, claims, epoch));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Expired: the start of its expiry day (UTC) has passed. */
export function isLinkExpired(claims: LinkClaims, now = Date.now()): boolean {
  return now >= claims.expiryDay * DAY_MS;
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
