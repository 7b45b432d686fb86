import pg from 'pg';

/** pg.Client's internals this watch reads (pg 8.x). */
interface ClientState {
  _activeQuery: unknown;
  _queryQueue: unknown[];
  pipeline?: boolean;
}

export interface OverlapWatch {
  /** The SQL of every query issued on a pg client while another query was still running on it. */
  overlaps: string[];
  stop(): void;
}

/**
 * Records queries issued on one pg client (a transaction's connection) while it is still executing
 * another. pg 8 prints its "already executing a query" deprecation once per process, and only from
 * the third overlapping query; pg 9 refuses any overlap. This sees every one, from the second.
 */
export function watchOverlappingQueries(): OverlapWatch {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  const overlaps: string[] = [];
  prototype.query = function (this: ClientState, ...args: unknown[]) {
    if (!this.pipeline && (this._activeQuery || this._queryQueue.length > 0)) {
      const config = args[0] as string | { text?: string };
      overlaps.push(typeof config === 'string' ? config : (config?.text ?? JSON.stringify(config)));
    }
    return original.apply(this, args);
  };
  return {
    overlaps,
    stop() {
      prototype.query = original;
    },
  };
}
