import { z } from 'zod';
import { parse } from '@pledgewatch/problems';

/**
 * Query strings of the pages. Unlike the API, a page ignores parameters it does not know (a shared
 * link picks up tracking parameters) and treats an empty value as absent (an untouched select of
 * a GET form); a known parameter with a bad value is still a 400.
 */
export function pageQuery<S extends z.ZodRawShape>(shape: S): (query: unknown) => z.output<z.ZodObject<S>> {
  const schema = z.object(shape); // built once: zod compiles a schema on its first use
  const keys = Object.keys(shape);
  return (query) => {
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
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * A GET form sends its untouched fields empty (`?since=&country=PH`): such an address is sent on
 * to the canonical one, so every view has one shareable URL.
 */
export function hasEmptyParameters(query: unknown): boolean {
  return Object.values((query ?? {}) as Record<string, unknown>).some((value) => value === '');
}
