import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { adminQuery, serverUrl, uniqueName } from './support/postgres';

const ROOT = path.resolve(__dirname, '..');
const MIGRATIONS_DIR = path.join(ROOT, 'prisma/migrations');

/** `npx tsx scripts/db.ts migrate`, as a separate process, against one database. */
function migrate(databaseUrl: string): string {
  return db('migrate', databaseUrl);
}

/** `tsx scripts/db.ts <args>` (what the npm db:* scripts run) as a separate process. */
function db(command: 'migrate' | 'schema-sql' | ['create', string], databaseUrl: string, env: Record<string, string> = {}): string {
  const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/db.ts', ...[command].flat()], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`${String(command)} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/**
 * What a database's public schema is made of, in a comparable form: every column (type,
 * nullability, default), enum (values in order), index and constraint (their definitions).
 * The migrations' bookkeeping table is left out.
 */
async function catalog(client: pg.Client) {
  const rows = async (sql: string) => (await client.query(sql)).rows.map((r) => Object.values(r).join(' | '));
  return {
    columns: await rows(`
      SELECT table_name, column_name, data_type, udt_name, is_nullable, COALESCE(column_default, ''), COALESCE(character_maximum_length::text, '')
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
       ORDER BY table_name, column_name`),
    enums: await rows(`
      SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' GROUP BY t.typname ORDER BY t.typname`),
    indexes: await rows(`
      SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`),
    constraints: await rows(`
      SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '"_prisma_migrations"' AND c.conrelid::regclass::text <> '_prisma_migrations'
       ORDER BY 1, 2`),
  };
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

  it('builds exactly the database schema.prisma describes: columns, enums, indexes and constraints', async () => {
    // The reference: an empty database given the SQL the schema engine writes for schema.prisma itself.
    const reference = uniqueName('pw_schema_ref');
    await adminQuery(`CREATE DATABASE ${reference}`);
    const ref = new pg.Client({ connectionString: serverUrl(reference) });
    try {
      await ref.connect();
      await ref.query(db('schema-sql', serverUrl(reference)));
      const [migrated, expected] = [await catalog(client), await catalog(ref)];
      expect(migrated.columns.length).toBeGreaterThan(50);
      expect(migrated).toEqual(expected);
    } finally {
      await ref.end();
      await adminQuery(`DROP DATABASE IF EXISTS ${reference} WITH (FORCE)`);
    }
  });

  it('applies nothing on a second run', async () => {
    const before = await rows();
    expect(migrate(url)).toContain('migrations: up to date');
    expect(await rows()).toEqual(before);
  });
});

describe('npm run db:migration -- <name> (scripts/db.ts create)', () => {
  // A scratch copy of prisma/, never committed: the command must diff what the migrations build
  // against the schema, not the schema at git HEAD (which is what this copy's schema is, unedited).
  let prismaDir: string;
  const database = uniqueName('pw_db_create');
  const url = serverUrl(database);
  const create = (name: string) => db(['create', name], url, { PRISMA_DIR: prismaDir });
  const migrationFolders = () => readdirSync(path.join(prismaDir, 'migrations'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const shadowDatabases = async () => (await adminQuery<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'")).length;

  beforeAll(() => {
    prismaDir = mkdtempSync(path.join(os.tmpdir(), 'pw-prisma-'));
    cpSync(path.join(ROOT, 'prisma/schema.prisma'), path.join(prismaDir, 'schema.prisma'));
    cpSync(MIGRATIONS_DIR, path.join(prismaDir, 'migrations'), { recursive: true });
  });
  afterAll(async () => {
    rmSync(prismaDir, { recursive: true, force: true });
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('says so and writes nothing when the migrations already build the schema', async () => {
    const before = migrationFolders();
    expect(create('nothing_to_do')).toContain('schema unchanged: no migration written');
    expect(migrationFolders()).toEqual(before);
  });

  it('writes the ALTER for a column added to the schema, then finds nothing more to do', async () => {
    const shadowsBefore = await shadowDatabases();
    const schemaPath = path.join(prismaDir, 'schema.prisma');
    const schema = readFileSync(schemaPath, 'utf8');
    expect(schema).toContain('model Country {\n');
    writeFileSync(schemaPath, schema.replace('model Country {\n', 'model Country {\n  motto String?\n'));
    const before = migrationFolders();

    const out = create('country_motto');
    const added = migrationFolders().filter((name) => !before.includes(name));
    expect(added).toEqual([expect.stringMatching(/^\d{14}_country_motto$/)]);
    expect(out).toContain(`${added[0]}/migration.sql`);
    const sql = readFileSync(path.join(prismaDir, 'migrations', added[0], 'migration.sql'), 'utf8');
    expect(sql).toMatch(/ALTER TABLE "Country" ADD COLUMN\s+"motto" TEXT;/);
    expect(sql).not.toMatch(/CREATE TABLE|DROP /);

    expect(create('again')).toContain('schema unchanged: no migration written');
    expect(migrationFolders()).toEqual([...before, added[0]].sort());
    // The engine's shadow databases are dropped after each run.
    expect(await shadowDatabases()).toBe(shadowsBefore);
  });
});
