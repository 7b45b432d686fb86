import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { adminQuery, serverUrl, uniqueName } from './support/postgres';

const ROOT = path.resolve(__dirname, '..');
const MIGRATIONS_DIR = path.join(ROOT, 'prisma/migrations');

/** `npx tsx scripts/db.ts migrate`, as a separate process, against one database. */
function migrate(databaseUrl: string): string {
  const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/db.ts', 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`migrate exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** The table each model of prisma/schema.prisma maps to. */
function schemaTables(): string[] {
  const schema = readFileSync(path.join(ROOT, 'prisma/schema.prisma'), 'utf8');
  return [...schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)].map(([, name, body]) => body.match(/@@map\("([^"]+)"\)/)?.[1] ?? name);
}

interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

describe('migrations on a brand-new empty database', () => {
  const name = uniqueName('pw_migrate');
  const url = serverUrl(name);
  let client: pg.Client;

  const folders = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const rows = async () =>
    (await client.query<MigrationRow>('SELECT * FROM _prisma_migrations ORDER BY migration_name')).rows;
  const tables = async () =>
    (await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )).rows.map((r) => r.table_name);

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${name}`);
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('starts empty', async () => {
    expect(folders.length).toBeGreaterThan(0);
    expect(await tables()).toEqual([]);
  });

  it('applies every migration folder and records each with its checksum', async () => {
    const out = migrate(url);
    expect(out).toContain(`applied: ${folders.join(', ')}`);

    const applied = await rows();
    expect(applied.map((r) => r.migration_name)).toEqual(folders);
    for (const row of applied) {
      const sql = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('creates every table of the schema', async () => {
    expect((await tables()).sort()).toEqual([...schemaTables(), '_prisma_migrations'].sort());
  });

  it('applies nothing on a second run', async () => {
    const before = await rows();
    expect(migrate(url)).toContain('migrations: up to date');
    expect(await rows()).toEqual(before);
  });
});
