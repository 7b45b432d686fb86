import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests use: DATABASE_URL's, or the standard local one. */
export function serverUrl(database = 'postgres'): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/pledgewatch');
  url.pathname = `/${database}`;
  return url.toString();
}

/** This jest run's migrated template database (global-setup.ts names it; workers inherit the variable). */
export function templateDatabase(): string {
  const name = process.env.PW_TEST_TEMPLATE;
  if (!name) throw new Error('PW_TEST_TEMPLATE is unset: run tests through jest (test/support/global-setup.ts)');
  return name;
}

export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** When a uniqueName() was made, or null for other names. */
export function uniqueNameTime(name: string): Date | null {
  const match = /_([0-9a-z]{8,9})_[0-9a-f]{6}$/.exec(name);
  return match ? new Date(parseInt(match[1], 36)) : null;
}
