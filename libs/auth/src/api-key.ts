import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `pw_` + 32 random bytes in base64url (43 characters). */
export const API_KEY_PATTERN = /^pw_[A-Za-z0-9_-]{43}$/;
const PREFIX_LENGTH = 'pw_'.length + 8;

export interface GeneratedApiKey {
  /** The key itself: shown once, never stored. */
  key: string;
  /** SHA-256 (hex) of the key: what the database keeps. */
  hash: string;
  /** The first characters, for people to tell keys apart in lists and logs. */
  prefix: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}

export function generateApiKey(): GeneratedApiKey {
  const key = `pw_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: apiKeyPrefix(key) };
}

/**
 * Whether two secrets are the same, in time that does not depend on where they differ.
 * Both sides are hashed first, so the lengths are equal and the length of the secret does not leak.
 */
export function sameSecret(candidate: string, secret: string): boolean {
  const a = createHash('sha256').update(candidate, 'utf8').digest();
  const b = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * The token of an `Authorization: Bearer <token>` header, or null when the header is not one.
 * The token alphabet is RFC 6750's b64token; the length cap keeps junk away from the hash.
 */
export function bearerToken(header: string | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match || match[1].length > 512) return null;
  return match[1];
}
