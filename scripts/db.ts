/**
 * Database commands that work without Prisma's downloadable engine (see libs/database/src/schema-engine.ts).
 *
 *   tsx scripts/db.ts migrate              create the database named by DATABASE_URL if missing, apply migrations
 *   tsx scripts/db.ts create <name>        write prisma/migrations/<timestamp>_<name>/migration.sql: the change
 *                                          from what the existing migrations build (replayed on a shadow database
 *                                          the engine creates and drops) to schema.prisma, committed or not
 *
 * PRISMA_DIR names another folder holding schema.prisma and migrations/ (default: the repository's prisma/).
 *   tsx scripts/db.ts schema-sql           print the SQL that builds schema.prisma on an empty database (what the
 *                                          migrations spec compares the migrated database with)
 */
import { config as loadDotenv } from 'dotenv';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// eslint-disable-next-line no-restricted-imports -- schema tooling, kept out of the library's entry so the apps never load the wasm schema engine
import { applyMigrations, diffMigrationsToSchema, diffSchemas, PRISMA_PATHS, prismaPaths } from '../libs/database/src/schema-engine';
// eslint-disable-next-line no-restricted-imports -- database tooling for the scripts, not part of the apps' entry
import { ensureDatabase } from '../libs/database/src/ensure-database';

loadDotenv({ quiet: true });

const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/pledgewatch';

async function main() {
  const [command, name] = process.argv.slice(2);
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_URL;
  if (command === 'migrate') {
    await ensureDatabase(databaseUrl);
    const applied = await applyMigrations(databaseUrl);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'migrations: up to date');
    return;
  }
  if (command === 'create' && name && /^[a-z0-9_]+$/.test(name)) {
    await ensureDatabase(databaseUrl);
    const paths = process.env.PRISMA_DIR ? prismaPaths(path.resolve(process.env.PRISMA_DIR)) : PRISMA_PATHS;
    const sql = await diffMigrationsToSchema(databaseUrl, paths);
    if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
      console.log('schema unchanged: no migration written');
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(paths.migrations, `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'migration.sql'), sql);
    writeFileSync(path.join(paths.migrations, 'migration_lock.toml'), 'provider = "postgresql"\n');
    console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
    return;
  }
  if (command === 'schema-sql') {
    process.stdout.write(await diffSchemas(databaseUrl, null, readFileSync(PRISMA_PATHS.schema, 'utf8')));
    return;
  }
  console.error('usage: tsx scripts/db.ts migrate | create <snake_case_name> | schema-sql');
  process.exit(2);
}

// Exit explicitly: the driver adapter's pool keeps the event loop alive for its idle timeout (~10 s).
main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
