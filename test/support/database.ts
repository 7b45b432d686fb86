import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@pledgewatch/database';
import { adminQuery, serverUrl, templateDatabase, uniqueName } from './postgres';

export interface TestDatabase {
  name: string;
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

/** A database of the calling test's own: a clone of the migrated template (global-setup.ts). */
export async function createTestDatabase(prefix = 'pw_test'): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
  const url = serverUrl(name);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  return {
    name,
    url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
