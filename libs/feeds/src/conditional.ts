import { createHash } from 'node:crypto';

/** What a conditional GET compares: the representation's validator and its last change. */
export interface Validators {
  /** A strong entity tag, quoted: `"…"`. */
  etag: string;
  /** The newest change the representation shows; null when it shows none. */
  lastModified: Date | null;
}

/** A strong ETag from the parts that determine a representation's bytes. */
export function entityTag(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return `"${hash.digest('base64url').slice(0, 27)}"`;
}
