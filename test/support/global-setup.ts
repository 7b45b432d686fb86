import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { adminQuery, serverUrl, uniqueName, uniqueNameTime } from './postgres';

const STALE_AFTER_MS = 6 * 3600_000;

/**
 * Once per `jest` run: a freshly migrated template database of this run's own (so two runs at once
 * never collide). Each test file clones it (CREATE DATABASE … TEMPLATE), a fraction of a second,
 * and drops its clone after; global-teardown.ts drops the template.
 */
export default async function globalSetup(): Promise<void> {
  await dropStaleTestDatabases();
  const template = uniqueName('pw_tpl');
  const root = path.resolve(__dirname, '../..');
  execFileSync(process.execPath, [require.resolve('tsx/cli', { paths: [root] }), 'scripts/db.ts', 'migrate'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: serverUrl(template) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env.PW_TEST_TEMPLATE = template;
}

/** Databases left by runs that crashed hours ago (their names carry their creation time). */
async function dropStaleTestDatabases(): Promise<void> {
  const rows = await adminQuery<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'pw\\_%' OR datname = 'pledgewatch_test_template'`,
  );
  for (const { datname } of rows) {
    const made = uniqueNameTime(datname);
    const stale = datname === 'pledgewatch_test_template' || (made !== null && Date.now() - made.getTime() > STALE_AFTER_MS);
    if (stale) await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}
