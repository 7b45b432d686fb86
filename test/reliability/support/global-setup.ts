import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import testGlobalSetup from '../../support/global-setup';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Once per run: the migrated template database every trial clones (as `npm test`), the built apps
 * the trials start as processes (`npm run build`; RELIABILITY_SKIP_BUILD=1 reuses dist/), and the
 * file the trials append their figures to (global-teardown.ts turns it into docs/RELIABILITY.md).
 */
export default async function globalSetup(): Promise<void> {
  await testGlobalSetup();
  const built = existsSync(path.join(ROOT, 'dist/apps/api/apps/api/src/main.js')) && existsSync(path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js'));
  if (process.env.RELIABILITY_SKIP_BUILD !== '1' || !built) {
    execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] }), 'build', 'api'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] }), 'build', 'worker'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-reliability-'));
  process.env.PW_RELIABILITY_RESULTS = path.join(dir, 'results.jsonl');
  process.env.PW_RELIABILITY_LOGS = path.join(dir, 'logs');
  process.env.PW_RELIABILITY_STARTED = new Date().toISOString();
  console.log(`\n[reliability] process logs under ${process.env.PW_RELIABILITY_LOGS}`);
}
