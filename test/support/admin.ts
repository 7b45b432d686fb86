import { execFile } from 'node:child_process';
import path from 'node:path';
import { generateApiKey, Role } from '@pledgewatch/auth';
import type { PrismaClient } from '@pledgewatch/database';
import { factories } from './factories';

/** Reference data the admin tests refer to, built with the factories (the seed is not assumed). */
export async function insertReferenceData(prisma: PrismaClient): Promise<{ summit: string }> {
  const f = factories(prisma);
  await f.country('PH', 'Philippines');
  await f.country('VN', 'Viet Nam');
  await f.country('JP', 'Japan', 'partner');
  await f.sector('maritime-security', 'Maritime security');
  await f.sector('space', 'Space');
  await f.summit({ slug: 'test-summit', name: 'Test Summit' });
  return { summit: 'test-summit' };
}

/** A stored API key; answers the key itself, for an Authorization header. */
export async function insertApiKey(prisma: PrismaClient, name: string, role: Role, revoked = false): Promise<{ id: string; key: string }> {
  const { key, hash, prefix } = generateApiKey();
  const row = await prisma.apiKey.create({ data: { name, role, keyHash: hash, prefix, revokedAt: revoked ? new Date() : null } });
  return { id: row.id, key };
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** Rows that any write touches: a failed request must leave all of them as they were. */
export async function rowCounts(prisma: PrismaClient) {
  const [workstreams, milestones, events, auditEntries, countries, sectors] = await Promise.all([
    prisma.workstream.count(),
    prisma.milestone.count(),
    prisma.event.count(),
    prisma.auditEntry.count(),
    prisma.workstreamCountry.count(),
    prisma.workstreamSector.count(),
  ]);
  return { workstreams, milestones, events, auditEntries, countries, sectors };
}

/** `YYYY-MM-DD`, `days` from today (UTC). */
export function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const ROOT = path.resolve(__dirname, '../..');

/** `npm run cli -- …` against the given database, as a child process. */
export function runCli(databaseUrl: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [require.resolve('tsx/cli', { paths: [ROOT] }), 'apps/cli/src/main.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
