import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests use: DATABASE_URL's, or the standard local one. */
export function serverUrl(database = 'postgres'): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/pledgewatch');
  url.pathname = `/${database}`;
  return url.toString();
}

export const TEMPLATE_DATABASE = 'pledgewatch_test_template';

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}
