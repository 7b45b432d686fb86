import { FieldError, UnprocessableError } from '@pledgewatch/problems';
import type { TransactionLimits } from './workstreams.repository';

/** What an admin write answers: the entity's view, its new version (the ETag) and the events it recorded. */
export interface WriteResult<V> {
  view: V;
  version: number;
  /** Ids of the events the write committed, in order; already handed to the EventsDispatcher. */
  eventIds: string[];
}

/** One editor's write: lock waits included, it should never take long. */
export const SINGLE_WRITE: TransactionLimits = { maxWait: 5_000, timeout: 15_000 };
/** A bulk import of up to 500 workstreams, in one transaction. */
export const BULK_WRITE: TransactionLimits = { maxWait: 5_000, timeout: 120_000 };

/** A 422 carrying every problem found; its code is the first problem's. */
export function unprocessable(errors: FieldError[]): UnprocessableError {
  const [first] = errors;
  const more = errors.length - 1;
  const detail = more > 0 ? `${first.message} (and ${more} more problem${more === 1 ? '' : 's'})` : first.message;
  return new UnprocessableError(first.code, detail, errors);
}

/** JSON equality that ignores key order (jsonb gives keys back in its own order). */
export function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
          .map(([k, v]) => [k, canonical(v)]),
      );
    }
    return value ?? null;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
