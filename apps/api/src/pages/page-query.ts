import { z } from 'zod';
import { parse, ValidationError } from '@pledgewatch/problems';

/** What a shared link picks up on the way (campaign and click ids): ignored, never refused. */
const TRACKING = /^(utm_[a-z0-9_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|ref)$/i;

/**
 * As strict as the API (an unknown parameter is a 400, so nothing unexpected is silently dropped or
 * echoed), except for the tracking parameters shared links carry.
 */
export function refuseUnknownParameters(query: unknown, known: readonly string[]): void {
  const unknown = Object.keys((query ?? {}) as object).filter((name) => !known.includes(name) && !TRACKING.test(name));
  if (unknown.length) {
    throw new ValidationError(
      unknown.slice(0, 20).map((name) => ({ field: name, code: 'unknown_field', message: `"${name}" is not a parameter of this page.` })),
      'The address has a parameter this page does not understand.',
    );
  }
}

/**
 * Query strings of the pages: an empty value counts as absent (an untouched select of a GET form);
 * a known parameter with a bad value is a 400.
 */
export function pageQuery<S extends z.ZodRawShape>(shape: S): (query: unknown) => z.output<z.ZodObject<S>> {
  const schema = z.object(shape); // built once: zod compiles a schema on its first use
  const keys = Object.keys(shape);
  return (query) => {
    refuseUnknownParameters(query, keys);
    const given = (query ?? {}) as Record<string, unknown>;
    const known: Record<string, unknown> = {};
    for (const key of keys) {
      const value = given[key];
      if (value !== undefined && value !== '') known[key] = value;
    }
    return parse(schema, known, 'The address has a parameter this page does not understand.');
  };
}

/** The page's canonical query: the parameters that matter, in a fixed order, empty ones left out. */
export function queryString(params: Record<string, string | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  // Lists stay readable in a shared address: `health=off_track,stalled` (a comma needs no escaping there).
  const text = search.toString().replace(/%2C/g, ',');
  return text ? `?${text}` : '';
}

/**
 * A GET form sends its untouched fields empty (`?since=&country=PH`): such an address is sent on
 * to the canonical one, so every view has one shareable URL.
 */
export function hasEmptyParameters(query: unknown): boolean {
  return Object.values((query ?? {}) as Record<string, unknown>).some((value) => value === '');
}
