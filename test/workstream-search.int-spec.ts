import { loadConfig } from '@pledgewatch/config';
import { WorkstreamsQuery } from '@pledgewatch/workstreams';
import type { PrismaService } from '@pledgewatch/database';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';

/**
 * The search document the workstream_search migration's triggers keep (docs/pages.md): every way a
 * workstream's words change reaches it, and nothing else rewrites it.
 */
describe('Workstream search document', () => {
  let db: TestDatabase;
  let query: WorkstreamsQuery;
  const search = async (q: string) => (await query.list({ q, limit: 50 })).items.map((w) => w.slug);
  const document = async (id: string) =>
    (await db.prisma.$queryRaw<{ doc: string }[]>`SELECT document::text AS doc FROM "WorkstreamSearch" WHERE "workstreamId" = ${id}::uuid`)[0].doc;

  beforeAll(async () => {
    db = await createTestDatabase();
    query = new WorkstreamsQuery(db.prisma as unknown as PrismaService, loadConfig({}));
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('follows the title, summary, source quote, slug and the names of its countries and sectors', async () => {
    const f = factories(db.prisma);
    await f.country('MY', 'Malaysia');
    await f.country('PH', 'Philippines');
    await f.sector('maritime-security', 'Maritime security');
    const ws = await f.workstream({ slug: 'radar-sites', title: 'Coastal radars', summary: 'Five 97-m vessels.', countries: ['MY'], sectors: ['maritime-security'] });

    expect(await search('radar')).toEqual(['radar-sites']);
    expect(await search('sites')).toEqual(['radar-sites']); // a slug word
    expect(await search('Malaysia')).toEqual(['radar-sites']);
    expect(await search('maritime')).toEqual(['radar-sites']);
    for (const q of ['97-metre', '97 metres', '"97 m"', '97m']) expect([q, await search(q)]).toEqual([q, ['radar-sites']]);
    expect(await search('98-metre')).toEqual([]);

    await db.prisma.workstream.update({ where: { id: ws.id }, data: { title: 'Patrol boats', source: { quote: 'Bakamla will receive a vessel.' } } });
    expect(await search('coastal')).toEqual([]);
    expect(await search('Bakamla')).toEqual(['radar-sites']);

    await db.prisma.workstreamCountry.create({ data: { workstreamId: ws.id, countryCode: 'PH' } });
    expect(await search('Philippines')).toEqual(['radar-sites']);
    await db.prisma.workstreamCountry.deleteMany({ where: { workstreamId: ws.id, countryCode: 'MY' } });
    expect(await search('Malaysia')).toEqual([]);

    await db.prisma.country.update({ where: { code: 'PH' }, data: { name: 'Republic of the Philippines' } });
    expect(await search('republic')).toEqual(['radar-sites']);
  });

  it('is left alone by writes that do not change its words (the status check rewrites health every hour)', async () => {
    const f = factories(db.prisma);
    const ws = await f.workstream({ title: 'Satellite data', summary: 'Shared.' });
    const before = await document(ws.id);
    await db.prisma.$executeRaw`UPDATE "Workstream" SET health = 'stalled', "healthReason" = 'No progress.' WHERE id = ${ws.id}::uuid`;
    await db.prisma.$executeRaw`UPDATE "WorkstreamSearch" SET document = to_tsvector('simple', 'sentinel') WHERE "workstreamId" = ${ws.id}::uuid`;
    await db.prisma.$executeRaw`UPDATE "Workstream" SET health = 'at_risk', title = title WHERE id = ${ws.id}::uuid`;
    expect(await document(ws.id)).toBe("'sentinel':1");
    await db.prisma.workstream.update({ where: { id: ws.id }, data: { summary: 'Shared again.' } });
    expect(await document(ws.id)).not.toBe("'sentinel':1");
    expect(before).toContain("'satellit':1A");
  });

  it('is written for a bulk insert of workstreams in one statement, and removed with its workstream', async () => {
    const f = factories(db.prisma);
    const summit = await f.summit();
    await db.prisma.$executeRaw`
      INSERT INTO "Workstream" (id, slug, title, summary, "summitId", instrument, stage, "updatedAt")
      SELECT gen_random_uuid(), 'bulk-' || g, 'Bulk grant ' || g, 'Loaded at once.', ${summit.id}::uuid, 'initiative', 'pipeline', now()
      FROM generate_series(1, 3) g`;
    expect((await search('bulk grant')).sort()).toEqual(['bulk-1', 'bulk-2', 'bulk-3']);
    await db.prisma.workstream.delete({ where: { slug: 'bulk-2' } });
    expect(await db.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "WorkstreamSearch" s JOIN "Workstream" w ON w.id = s."workstreamId" WHERE w.slug LIKE 'bulk-%'`).toEqual([{ n: 2 }]);
  });

  it('matches nothing for a query without a searchable word', async () => {
    expect(await search('the')).toEqual([]);
    expect(await search('%')).toEqual([]);
  });
});
