/**
 * Writes docs/digest-sample.html: the weekly digest a reader following Malaysia, the Philippines,
 * maritime security and Viet Nam × defense would get on Monday 30 November 2026, from the seeded
 * data — the same rendering as the send path and the admin preview.
 *
 *   npm run digest:sample
 *
 * Uses a scratch database on DATABASE_URL's server (migrated, seeded as of 2 and then 27 November
 * so that the month's health changes are the week's news), dropped at the end.
 */
import { config as loadDotenv } from 'dotenv';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { loadConfig } from '@pledgewatch/config';
import { PrismaClient, PrismaService } from '@pledgewatch/database';
import { DigestContentCache, DigestContentRepository, DigestPreviewService, DigestComposer } from '@pledgewatch/digest';
import { MailRenderer } from '@pledgewatch/mail';
import { SubscriberLinks } from '@pledgewatch/subscriber-links';
import { seed } from '../prisma/seed';

loadDotenv({ quiet: true });

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'docs/digest-sample.html');
const SEED_AS_OF = [new Date('2026-11-02T06:00:00Z'), new Date('2026-11-27T06:00:00Z')];
const DIGEST_AS_OF = new Date('2026-11-30T00:00:00Z'); // Monday 08:00 in Manila

async function main() {
  const server = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/pledgewatch');
  const name = `pw_digest_sample_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  const admin = new URL(server);
  admin.pathname = '/postgres';

  execFileSync(process.execPath, [require.resolve('tsx/cli', { paths: [ROOT] }), 'scripts/db.ts', 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url.toString() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url.toString() }) });
  try {
    for (const asOf of SEED_AS_OF) await seed(prisma, { asOf });
    const reader = await prisma.subscriber.create({
      data: {
        email: 'reader@example.org',
        state: 'active',
        timezone: 'Asia/Manila',
        confirmedAt: new Date('2026-01-01T00:00:00Z'),
        subscriptions: {
          create: [{ countryCode: 'MY' }, { countryCode: 'PH' }, { sectorSlug: 'maritime-security' }, { countryCode: 'VN', sectorSlug: 'defense' }],
        },
      },
    });

    // The services by hand: tsx emits no decorator metadata for Nest's injector.
    const config = loadConfig({ ...process.env, DATABASE_URL: url.toString(), NODE_ENV: 'development', LOG_LEVEL: 'error' });
    const repository = new DigestContentRepository(prisma as unknown as PrismaService, config);
    const composer = new DigestComposer(repository, new DigestContentCache(repository), new MailRenderer(), new SubscriberLinks(config), config);
    const previews = new DigestPreviewService(repository, composer);
    const preview = await previews.preview(reader.id, DIGEST_AS_OF);

    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, preview.html);
    console.log(`wrote ${path.relative(process.cwd(), OUT)}: ${preview.subject}`);
  } finally {
    await prisma.$disconnect();
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
