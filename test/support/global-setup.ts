import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { adminQuery, serverUrl, TEMPLATE_DATABASE } from './postgres';

/**
 * Once per `jest` run: a freshly migrated template database. Each test file then clones it
 * (CREATE DATABASE … TEMPLATE), which takes a fraction of a second, and drops its clone after.
 */
export default async function globalSetup(): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  const root = path.resolve(__dirname, '../..');
  execFileSync(process.execPath, [require.resolve('tsx/cli', { paths: [root] }), 'scripts/db.ts', 'migrate'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: serverUrl(TEMPLATE_DATABASE) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
