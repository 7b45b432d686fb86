/**
 * Prisma's schema engine, compiled to WebAssembly, driven through the pg driver adapter.
 *
 * Prisma 7's CLI downloads a native schema engine for every migrate command, and these machines
 * (and air-gapped government users) cannot reach its host. The same engine ships on npm as
 * `@prisma/schema-engine-wasm`; it reads the standard `prisma/migrations/<ts>_<name>/migration.sql`
 * folders and writes the standard `_prisma_migrations` table, so `prisma migrate deploy` stays valid
 * wherever the native engine is available.
 */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

// Postgres' internal one-byte "char" type (OID 18) appears in catalog introspection (pg_class.relkind,
// pg_constraint.contype, …) and adapter-pg maps no column of that type ("Column type 'char' could
// not be deserialized": what made every diff against a real database fail). The engine's clients
// report such columns as text, and read their values as the strings they are.
const CHAR_OID = 18;
const TEXT_OID = 25;
pg.types.setTypeParser(CHAR_OID, (value: string) => value);

function charAsText(result: pg.QueryResult | undefined) {
  for (const field of result?.fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
  return result;
}

/** A pg client that reports "char" columns as text; the pool calls it with a callback, a transaction with a promise. */
class CharAsTextClient extends pg.Client {
  override query(...args: unknown[]): never {
    const callback = args[args.length - 1];
    if (typeof callback === 'function') {
      const done = callback as (error: Error | null, result: pg.QueryResult | undefined) => void;
      args[args.length - 1] = (error: Error | null, result: pg.QueryResult) => done(error, charAsText(result));
    }
    const result = (pg.Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
    return (result instanceof Promise ? result.then(charAsText) : result) as never;
  }
}

const ROOT = path.resolve(__dirname, '../../..');
export const SCHEMA_PATH = path.join(ROOT, 'prisma/schema.prisma');
export const MIGRATIONS_DIR = path.join(ROOT, 'prisma/migrations');

/** Where a schema and its migrations live: the repository's prisma/ unless told otherwise. */
export interface SchemaPaths {
  schema: string;
  migrations: string;
}
export const PRISMA_PATHS: SchemaPaths = { schema: SCHEMA_PATH, migrations: MIGRATIONS_DIR };

/** The paths inside a prisma/ folder (schema.prisma, migrations/). */
export function prismaPaths(prismaDir: string): SchemaPaths {
  return { schema: path.join(prismaDir, 'schema.prisma'), migrations: path.join(prismaDir, 'migrations') };
}

type Engine = {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
};

const FILTERS = { externalTables: [], externalEnums: [] };

/** The engine reports a Rust panic's message here before it traps. */
const panics = { message: '', set_message(message: string) { this.message = message; } };

async function loadEngineModule() {
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: typeof panics }).PRISMA_WASM_PANIC_REGISTRY = panics;
  // The package's `exports` hide the .wasm and its glue imports it as an ES module, which Node
  // cannot load; resolve the glue, instantiate the file beside it ourselves.
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const glue = (await import(gluePath)) as {
    __wbg_set_wasm(exports: object): void;
    SchemaEngine: { new: (o: unknown, log: (m: string) => void, adapter: unknown) => Promise<Engine> };
  };
  const wasmBytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
  // `WebAssembly` is a Node global that TypeScript's ES lib does not declare.
  const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Buffer, i: object): Promise<{ instance: { exports: object } }> } }).WebAssembly;
  const { instance } = await wasm.instantiate(wasmBytes, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  return glue;
}

/** Connection settings passed apart, so a connection string can never redirect the shadow database. */
function poolConfig(databaseUrl: string): pg.PoolConfig {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.slice(1)),
    Client: CharAsTextClient,
  };
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * adapter-pg runs a migration script by splitting it at every ";", which breaks any statement with
 * a semicolon inside (a PL/pgSQL function body, a string). The native engine sends the script
 * whole; so does this: one simple query, which PostgreSQL runs as one implicit transaction.
 */
function wholeScripts(adapter: Adapter): Adapter {
  const internals = adapter as unknown as { client: pg.Pool; onError(error: unknown): never };
  adapter.executeScript = async (script: string) => {
    try {
      await internals.client.query(script);
    } catch (error) {
      internals.onError(error);
    }
  };
  return adapter;
}

/**
 * adapter-pg's own shadow database teardown drops the database while its pool still holds a
 * connection ("being accessed by other users"): close the pool first, then drop.
 */
function withShadowLifecycle(config: pg.PoolConfig) {
  const factory = new PrismaPg(config);
  const connect = factory.connect.bind(factory);
  return Object.assign(factory, {
    connect: async () => wholeScripts(await connect()),
    async connectToShadowDb() {
      const main = await connect();
      const database = `prisma_migrate_shadow_db_${randomUUID().replace(/-/g, '')}`;
      await main.executeScript(`CREATE DATABASE "${database}"`);
      const shadow = wholeScripts(await new PrismaPg({ ...config, database }).connect());
      const close = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await close();
        try {
          await main.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        } finally {
          await main.dispose();
        }
      };
      return shadow;
    },
  });
}

async function withEngine<T>(databaseUrl: string, work: (engine: Engine) => Promise<T>, schemaPath = SCHEMA_PATH): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const schema = await readFile(schemaPath, 'utf8');
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(withShadowLifecycle(poolConfig(databaseUrl)));
  const logs: string[] = [];
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    (message: string) => logs.push(message),
    adapterFactory,
  );
  try {
    return await work(engine);
  } catch (error) {
    const detail = panics.message || (error instanceof Error ? error.message : JSON.stringify(error));
    throw new Error(`schema engine: ${detail}${logs.length ? `\n${logs.slice(-5).join('\n')}` : ''}`, { cause: error });
  } finally {
    engine.free();
  }
}

async function migrationList(migrationsDir = MIGRATIONS_DIR) {
  const dirs = existsSync(migrationsDir)
    ? (await readdir(migrationsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      dirs.map(async (dir) => ({
        path: dir,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok', value: await readFile(path.join(migrationsDir, dir, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  };
}

/** Applies every migration not yet applied; answers the names it applied. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  return withEngine(databaseUrl, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: await migrationList(), filters: FILTERS });
    return out.appliedMigrationNames;
  });
}

/**
 * The SQL that takes a database from the `from` schema (none: an empty database) to `to`.
 * Both are Prisma schema texts, so no database, shadow or otherwise, is involved.
 */
export async function diffSchemas(databaseUrl: string, from: string | null, to: string): Promise<string> {
  return withEngine(databaseUrl, async (engine) => {
    const datamodel = (content: string) => ({ tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content }] });
    const out = await engine.diff({
      from: from === null ? { tag: 'empty' } : datamodel(from),
      to: datamodel(to),
      script: true,
      exitCode: null,
      filters: FILTERS,
    });
    return out.stdout ?? '';
  });
}

/**
 * The SQL that takes a database built by the migrations in `paths.migrations` to `paths.schema`:
 * the engine replays the migrations on a shadow database (created beside `databaseUrl`'s and
 * dropped after) and diffs what they built against the schema. Unlike a diff against the schema
 * at git HEAD, this is right whether or not the schema change is committed, and it also catches a
 * migration that was hand-edited away from the schema.
 */
export async function diffMigrationsToSchema(databaseUrl: string, paths: SchemaPaths = PRISMA_PATHS): Promise<string> {
  return withEngine(
    databaseUrl,
    async (engine) => {
      const out = await engine.diff({
        from: { tag: 'migrations', ...(await migrationList(paths.migrations)) },
        to: { tag: 'schemaDatamodel', files: [{ path: paths.schema, content: await readFile(paths.schema, 'utf8') }] },
        script: true,
        exitCode: null,
        filters: FILTERS,
      });
      return out.stdout ?? '';
    },
    paths.schema,
  );
}
