import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { parse as parseCsv } from 'csv-parse/sync';
import type { PrismaClient } from '@pledgewatch/database';
import { EXPORT_BATCH, MILESTONE_COLUMNS, WORKSTREAM_COLUMNS } from '@pledgewatch/export';
import { seed } from '../prisma/seed';
import { COUNTRIES, SECTORS, SUMMIT, WORKSTREAMS } from '../prisma/seed-data';
import { bootApi } from './support/api';
import { bearer, insertApiKey } from './support/admin';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';

/** A response body as text, whatever its content type. */
const asText = (req: request.Test) =>
  req.buffer(true).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => done(null, text));
  });

const csvRows = (text: string): Record<string, string>[] => parseCsv(text, { columns: true, bom: true });
const csvHeader = (text: string): string[] => {
  const rows: string[][] = parseCsv(text, { to_line: 1 });
  return rows[0];
};
const isoDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** The tracker as content, by slug: what a round trip must keep (ids, positions and timestamps are new). */
async function trackerContent(prisma: PrismaClient) {
  const rows = await prisma.workstream.findMany({
    where: { archivedAt: null },
    include: {
      summit: { select: { slug: true } },
      countries: { select: { countryCode: true }, orderBy: { countryCode: 'asc' } },
      sectors: { select: { sectorSlug: true }, orderBy: { sectorSlug: 'asc' } },
      milestones: { orderBy: [{ position: 'asc' }, { id: 'asc' }] },
    },
    orderBy: { slug: 'asc' },
  });
  return rows.map((w) => ({
    slug: w.slug,
    title: w.title,
    summary: w.summary,
    summit: w.summit.slug,
    instrument: w.instrument,
    stage: w.stage,
    source: w.source,
    watchTerms: w.watchTerms,
    countries: w.countries.map((c) => c.countryCode),
    sectors: w.sectors.map((s) => s.sectorSlug),
    milestones: w.milestones.map((m) => ({
      title: m.title,
      plannedStart: isoDay(m.plannedStart),
      dueDate: isoDay(m.dueDate),
      datePrecision: m.datePrecision,
      actualStart: isoDay(m.actualStart),
      actualStartPrecision: m.actualStart ? m.actualStartPrecision : null,
      completedOn: isoDay(m.completedOn),
      completedOnPrecision: m.completedOn ? m.completedOnPrecision : null,
      // `overdue` is the check's mark, not content: the import takes the milestone back as open and
      // the next check flags it again.
      status: m.status === 'overdue' ? (m.actualStart ? 'in_progress' : 'not_started') : m.status,
      dateBasis: m.dateBasis,
      evidenceUrl: m.evidenceUrl,
      note: m.note,
    })),
  }));
}

describe('Open data export', () => {
  describe('from the seeded database', () => {
    let seeded: TestDatabase;
    let empty: TestDatabase;
    let app: INestApplication;
    let target: INestApplication;
    const queuePrefix = testQueuePrefix('export');
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      seeded = await createTestDatabase();
      await seed(seeded.prisma);
      empty = await createTestDatabase();
      app = await bootApi(seeded.url, { QUEUE_PREFIX: queuePrefix });
      target = await bootApi(empty.url, { QUEUE_PREFIX: queuePrefix });
    });

    afterAll(async () => {
      await app?.close();
      await target?.close();
      await seeded?.drop();
      await empty?.drop();
      await dropQueueKeys(queuePrefix);
    });

    it('round trip: tracker.json imported into an empty database yields the same tracker', async () => {
      const res = await asText(http().get('/v1/export/tracker.json')).expect(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="tracker.json"');
      const exported = JSON.parse(res.body as string);
      expect(exported.notify).toBe(false);
      expect(exported.workstreams).toHaveLength(WORKSTREAMS.length);

      // The empty database has the reference lists the import refers to (they are not tracker data).
      await empty.prisma.country.createMany({ data: COUNTRIES });
      await empty.prisma.sector.createMany({ data: SECTORS });
      await empty.prisma.summit.create({
        data: {
          slug: SUMMIT.slug, name: SUMMIT.name, location: SUMMIT.location,
          startDate: new Date(SUMMIT.startDate), endDate: new Date(SUMMIT.endDate),
        },
      });
      expect(await empty.prisma.workstream.count()).toBe(0);
      const editor = bearer((await insertApiKey(empty.prisma, 'importer', 'editor')).key);

      // The export carries each workstream's last review; the import does not take it (a review is
      // the importing editors' own act, stamped by the import), so it is left out here.
      expect(exported.workstreams.every((w: { lastReviewedAt?: string }) => typeof w.lastReviewedAt === 'string')).toBe(true);
      const withoutReview = (items: Record<string, unknown>[]) => items.map(({ lastReviewedAt: _, ...rest }) => rest);
      const imported = await request(target.getHttpServer())
        .post('/v1/admin/import')
        .set(editor)
        .send({ ...exported, workstreams: withoutReview(exported.workstreams) })
        .expect(201);
      expect(imported.body.workstreams).toBe(WORKSTREAMS.length);
      expect(imported.body.milestones).toBe(WORKSTREAMS.reduce((n, w) => n + w.milestones.length, 0));

      expect(await trackerContent(empty.prisma)).toEqual(await trackerContent(seeded.prisma));
      // And the copy exports the same file (in slug order: ids and creation times are new).
      const again = JSON.parse((await asText(request(target.getHttpServer()).get('/v1/export/tracker.json')).expect(200)).body as string);
      const bySlug = (items: { slug: string }[]) => [...items].sort((a, b) => a.slug.localeCompare(b.slug));
      expect(withoutReview(bySlug(again.workstreams))).toEqual(withoutReview(bySlug(exported.workstreams)));
    });

    it('workstreams.csv: RFC 4180 with one header row, a row per workstream, UTF-8', async () => {
      const res = await asText(http().get('/v1/export/workstreams.csv')).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
      expect(res.headers['content-disposition']).toBe('attachment; filename="workstreams.csv"');
      const text = res.body as string;
      expect(text.endsWith('\r\n')).toBe(true);
      expect(csvHeader(text)).toEqual([...WORKSTREAM_COLUMNS]);
      const rows = csvRows(text);
      expect(rows).toHaveLength(WORKSTREAMS.length);
      const partnership = rows.find((r) => r.slug === WORKSTREAMS[0].slug)!;
      expect(partnership).toMatchObject({ title: WORKSTREAMS[0].title, summary: WORKSTREAMS[0].summary, countries: [...WORKSTREAMS[0].countries].sort().join(';') });
      expect(partnership.title).toContain('–'); // an en dash survives as UTF-8
      // The last review, as the API answers it.
      const api = await http().get(`/v1/workstreams/${WORKSTREAMS[0].slug}`).set('Accept', 'application/json').expect(200);
      expect(partnership).toMatchObject({
        lastReviewedAt: api.body.lastReviewedAt ?? '',
        lastReviewedBy: api.body.lastReviewedBy ?? '',
        reviewDue: String(api.body.reviewDue),
        watchTerms: api.body.watchTerms.join(';'),
      });
    });

    it('the CSVs take the list filters: PH × maritime-security holds what GET /v1/workstreams does', async () => {
      const query = { country: 'PH', sector: 'maritime-security' };
      const list = await http().get('/v1/workstreams').query({ ...query, limit: '100' }).expect(200);
      const expected = list.body.items.map((w: { slug: string }) => w.slug);
      expect(expected.length).toBeGreaterThan(0);
      const rows = csvRows((await asText(http().get('/v1/export/workstreams.csv').query(query)).expect(200)).body as string);
      expect(rows.map((r) => r.slug)).toEqual(expected);

      const milestones = csvRows((await asText(http().get('/v1/export/milestones.csv').query(query)).expect(200)).body as string);
      const seededCount = WORKSTREAMS.filter((w) => expected.includes(w.slug)).reduce((n, w) => n + w.milestones.length, 0);
      expect(milestones).toHaveLength(seededCount);
      expect(new Set(milestones.map((m) => m.workstreamSlug))).toEqual(new Set(expected.filter((slug: string) => WORKSTREAMS.find((w) => w.slug === slug)!.milestones.length)));
    });

    it('milestones.csv: a row per milestone with the expected columns', async () => {
      const text = (await asText(http().get('/v1/export/milestones.csv')).expect(200)).body as string;
      expect(csvHeader(text)).toEqual([...MILESTONE_COLUMNS]);
      const rows = csvRows(text);
      // Each date's precision beside it; empty where there is no date.
      const stored = await seeded.prisma.milestone.findMany();
      for (const row of rows) {
        const m = stored.find((s) => s.id === row.id)!;
        expect([row.datePrecision, row.actualStartPrecision, row.completedOnPrecision]).toEqual([
          m.datePrecision,
          m.actualStart ? m.actualStartPrecision : '',
          m.completedOn ? m.completedOnPrecision : '',
        ]);
      }
      expect(new Set(rows.map((r) => r.datePrecision)).size).toBeGreaterThan(1);
      expect(rows).toHaveLength(WORKSTREAMS.reduce((n, w) => n + w.milestones.length, 0));
      const first = WORKSTREAMS[0];
      const mine = rows.filter((r) => r.workstreamSlug === first.slug);
      // The seed stores a milestone already past due as overdue, as the check would have.
      const asStored = (m: (typeof first.milestones)[number]) =>
        (m.status === 'not_started' || m.status === 'in_progress') && m.date < new Date().toISOString().slice(0, 10) ? 'overdue' : m.status;
      expect(mine.map((r) => [r.title, r.dueDate, r.status, r.dateBasis])).toEqual(first.milestones.map((m) => [m.title, m.date, asStored(m), m.dateBasis]));
    });

    it('bad input: 400 naming the field; a well-formed unknown country is a header-only file', async () => {
      for (const [path, field, code] of [
        ['/v1/export/workstreams.csv?colour=blue', 'colour', 'unknown_field'],
        ['/v1/export/milestones.csv?country=PHL', 'country', 'invalid_format'],
        ['/v1/export/tracker.json?health=wobbly', 'health', 'invalid_value'],
        ['/v1/export/workstreams.csv?limit=5', 'limit', 'unknown_field'],
      ]) {
        const res = await http().get(path).expect(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
      }
      const none = (await asText(http().get('/v1/export/workstreams.csv').query({ country: 'ZZ' })).expect(200)).body as string;
      expect(none).toBe(`${WORKSTREAM_COLUMNS.join(',')}\r\n`);
      const noMilestones = (await asText(http().get('/v1/export/milestones.csv').query({ sector: 'no-such-sector' })).expect(200)).body as string;
      expect(noMilestones).toBe(`${MILESTONE_COLUMNS.join(',')}\r\n`);
      expect(JSON.parse((await asText(http().get('/v1/export/tracker.json').query({ country: 'ZZ' })).expect(200)).body as string)).toEqual({ notify: false, workstreams: [] });
    });
  });

  describe('many workstreams and hostile cells', () => {
    let db: TestDatabase;
    let app: INestApplication;
    const http = () => request(app.getHttpServer());
    const COUNT = EXPORT_BATCH * 2 + 37;

    beforeAll(async () => {
      db = await createTestDatabase();
      const f = factories(db.prisma);
      await f.country('PH', 'Philippines');
      await f.sector('maritime-security', 'Maritime security');
      const summit = await f.summit({ slug: 'bulk-summit' });
      const base = Date.UTC(2024, 0, 1);
      // Created in bulk, oldest first; the export streams them newest first, a batch at a time.
      await db.prisma.workstream.createMany({
        data: Array.from({ length: COUNT }, (_, i) => ({
          slug: `bulk-${String(i).padStart(4, '0')}`,
          title: `Bulk workstream ${i}`,
          summary: 'Bulk.',
          summitId: summit.id,
          instrument: 'other' as const,
          stage: 'implementation' as const,
          createdAt: new Date(base + i * 60_000),
        })),
      });
      const ids = await db.prisma.workstream.findMany({ select: { id: true, slug: true } });
      await db.prisma.workstreamCountry.createMany({ data: ids.map((w) => ({ workstreamId: w.id, countryCode: 'PH' })) });
      await db.prisma.workstreamSector.createMany({ data: ids.map((w) => ({ workstreamId: w.id, sectorSlug: 'maritime-security' })) });
      await db.prisma.milestone.createMany({ data: ids.map((w) => ({ workstreamId: w.id, title: `Step of ${w.slug}`, dueDate: new Date('2026-01-01'), position: 1 })) });

      for (const [slug, title] of [['formula-eq', '=HYPERLINK("http://evil.example","click")'], ['formula-plus', '+1+1'], ['formula-minus', '-2+3'], ['formula-at', '@SUM(A1:A2)']]) {
        const w = await f.workstream({ slug, title, summary: 'Hostile title.', countries: ['PH'], sectors: ['maritime-security'], summitId: summit.id, createdAt: new Date(base - 86_400_000) });
        await f.milestone(w.id, { title: '=cmd|" /C calc"!A0', position: 1 });
      }
      app = await bootApi(db.url);
    });

    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it(`streams ${COUNT + 4} workstreams across keyset batches of ${EXPORT_BATCH}: every one once, newest first`, async () => {
      const rows = csvRows((await asText(http().get('/v1/export/workstreams.csv')).expect(200)).body as string);
      expect(rows).toHaveLength(COUNT + 4);
      expect(new Set(rows.map((r) => r.id)).size).toBe(COUNT + 4);
      const bulk = rows.filter((r) => r.slug.startsWith('bulk-')).map((r) => r.slug);
      expect(bulk).toEqual([...bulk].sort().reverse());

      const milestones = csvRows((await asText(http().get('/v1/export/milestones.csv')).expect(200)).body as string);
      expect(milestones).toHaveLength(COUNT + 4);
      const tracker = JSON.parse((await asText(http().get('/v1/export/tracker.json')).expect(200)).body as string);
      expect(tracker.workstreams).toHaveLength(COUNT + 4);
      expect(tracker.workstreams.every((w: { milestones: unknown[] }) => w.milestones.length === 1)).toBe(true);
    });

    it('neutralises cells that a spreadsheet would run as a formula (= + - @)', async () => {
      const rows = csvRows((await asText(http().get('/v1/export/workstreams.csv')).expect(200)).body as string);
      const title = (slug: string) => rows.find((r) => r.slug === slug)!.title;
      expect(title('formula-eq')).toBe(`'=HYPERLINK("http://evil.example","click")`);
      expect(title('formula-plus')).toBe(`'+1+1`);
      expect(title('formula-minus')).toBe(`'-2+3`);
      expect(title('formula-at')).toBe(`'@SUM(A1:A2)`);
      const milestones = csvRows((await asText(http().get('/v1/export/milestones.csv')).expect(200)).body as string);
      const hostile = milestones.filter((m) => m.workstreamSlug.startsWith('formula-'));
      expect(hostile.map((m) => m.title)).toEqual(Array(4).fill(`'=cmd|" /C calc"!A0`));
      expect(hostile.map((m) => m.workstreamTitle).every((t) => t.startsWith("'"))).toBe(true);
      // The JSON export is data, not a spreadsheet: titles stay as typed.
      const tracker = JSON.parse((await asText(http().get('/v1/export/tracker.json')).expect(200)).body as string);
      expect(tracker.workstreams.find((w: { slug: string }) => w.slug === 'formula-eq').title).toBe('=HYPERLINK("http://evil.example","click")');
    });
  });
});
