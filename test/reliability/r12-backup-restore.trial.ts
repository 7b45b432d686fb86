import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createWorkstream, type CreatedWorkstream } from './support/fixtures';
import { record } from './support/report';
import { SmallStack } from './support/small-stack';
import { ADMIN_KEY, ApiProcess, call, knob, sql, stackEnv, until } from './support/stack';

const run = promisify(execFile);
const PG_BIN = path.join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().pop()!, 'bin');

/**
 * R12: a backup taken under load restores. `pg_dump -Fc` runs while READERS connections read the
 * public API and EDITORS editors keep changing their workstreams; the dump is restored into a new
 * database with `pg_restore`; an API started on it serves every change that was acknowledged
 * before the dump began (the recovery point is the dump's start: pg_dump reads one snapshot).
 * The procedure is in docs/RELIABILITY.md ("Backup and restore").
 */
const READERS = knob('R12_READERS', 64);
const EDITORS = knob('R12_EDITORS', 4);
/** Changes each editor has had acknowledged before the dump starts. */
const BEFORE_DUMP = knob('R12_CHANGES_BEFORE_DUMP', 10);

describe('R12 backup and restore under load', () => {
  const stack = new SmallStack('postgres');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-r12-'));
  let restoredApi: ApiProcess | undefined;
  let restoredName: string | undefined;
  afterAll(async () => {
    await restoredApi?.kill();
    if (restoredName) await sql(stack.db.url.replace(/\/[^/]+$/, '/postgres'), `DROP DATABASE IF EXISTS "${restoredName}" WITH (FORCE)`);
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`pg_dump while ${READERS} connections read and ${EDITORS} editors write; the restored copy serves every change made before the dump began`, async () => {
    await stack.start();
    const base = stack.api.base;
    const workstreams: CreatedWorkstream[] = [];
    for (let i = 0; i < EDITORS; i++) workstreams.push(await createWorkstream(base, `Backup drill workstream ${i}`));

    // Load: readers on the public API, editors each revising their own workstream, one change after another.
    let loading = true;
    let reads = 0;
    let fivexx = 0;
    /** Per workstream: each acknowledged revision and when its 200 arrived. */
    const acknowledged: { rev: number; at: number }[][] = workstreams.map(() => []);
    const readers = Array.from({ length: READERS }, async (_, r) => {
      while (loading) {
        const ws = workstreams[r % workstreams.length];
        const answer = await call(base, 'GET', r % 2 ? `/v1/workstreams/${ws.slug}` : '/v1/workstreams?limit=20');
        reads += 1;
        if (answer.status >= 500 || answer.status === 0) fivexx += 1;
      }
    });
    const editors = workstreams.map(async (ws, e) => {
      for (let rev = 1; loading; rev++) {
        const answer = await call(base, 'PATCH', `/v1/admin/workstreams/${ws.id}`, { key: ADMIN_KEY, body: { summary: `Revision ${rev}.` } });
        if (answer.status === 200) acknowledged[e].push({ rev, at: Date.now() });
        else if (answer.status >= 500 || answer.status === 0) fivexx += 1;
      }
    });

    // The load is running, and every editor has changes on record, before the dump starts.
    await until('the editors\' first changes', 120_000, async () => acknowledged.every((list) => list.length >= BEFORE_DUMP));
    const file = path.join(dir, 'pledgewatch.dump');
    const dumpStartedAt = Date.now();
    await run(path.join(PG_BIN, 'pg_dump'), ['--format=custom', '--no-owner', '--no-acl', `--file=${file}`, `--dbname=${stack.db.url}`]);
    const dumpSeconds = (Date.now() - dumpStartedAt) / 1000;
    loading = false;
    await Promise.all([...readers, ...editors]);

    // Restore into a new database, and start the service on it.
    restoredName = `${new URL(stack.db.url).pathname.slice(1)}_restored`;
    const restoredUrl = stack.db.url.replace(/\/[^/]+$/, `/${restoredName}`);
    const restoreStarted = Date.now();
    await sql(stack.db.url.replace(/\/[^/]+$/, '/postgres'), `CREATE DATABASE "${restoredName}"`);
    await run(path.join(PG_BIN, 'pg_restore'), ['--no-owner', '--no-acl', '--exit-on-error', `--dbname=${restoredUrl}`, file]);
    const restoreSeconds = (Date.now() - restoreStarted) / 1000;
    restoredApi = await ApiProcess.create(stackEnv({ backend: 'postgres', databaseUrl: restoredUrl, smtpUrl: stack.sink.url }));
    await restoredApi.start();

    let servedEveryEarlierChange = true;
    let noLaterThanAttempted = true;
    let afterDumpStartIncluded = 0;
    for (const [e, ws] of workstreams.entries()) {
      const before = acknowledged[e].filter((a) => a.at < dumpStartedAt).map((a) => a.rev);
      const restored = await call(restoredApi.base, 'GET', `/v1/workstreams/${ws.slug}`);
      const rev = Number(/^Revision (\d+)\.$/.exec(restored.json?.summary ?? '')?.[1] ?? 0);
      if (restored.status !== 200 || rev < Math.max(0, ...before)) servedEveryEarlierChange = false;
      if (rev > (acknowledged[e].at(-1)?.rev ?? 0) + 1) noLaterThanAttempted = false;
      afterDumpStartIncluded += acknowledged[e].filter((a) => a.at >= dumpStartedAt && a.rev <= rev).length;
    }
    const changes = acknowledged.reduce((n, list) => n + list.length, 0);
    const beforeDump = acknowledged.reduce((n, list) => n + list.filter((a) => a.at < dumpStartedAt).length, 0);
    const broken = record({
      trial: 'R12',
      backend: 'postgres',
      title: `backup and restore under load (${READERS} readers, ${EDITORS} editors)`,
      figures: {
        requests: reads + changes,
        fivexx,
        changesAcknowledged: changes,
        changesBeforeDumpStart: beforeDump,
        changesDuringDumpInCopy: afterDumpStartIncluded,
        dumpSeconds,
        dumpBytes: statSync(file).size,
        restoreSeconds,
      },
      checks: {
        'no 5xx while the dump ran': fivexx === 0,
        'every editor had changes acknowledged before the dump began': beforeDump >= EDITORS * BEFORE_DUMP,
        'the restored service serves every change acknowledged before the dump began': servedEveryEarlierChange,
        'the copy holds nothing that was never written': noLaterThanAttempted,
      },
      note: 'Recovery point: the start of pg_dump (one repeatable-read snapshot). Changes acknowledged while it ran may or may not be in the copy; those after it are not.',
    });
    expect(broken).toEqual([]);
  });
});
