import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { bootApi } from './support/api';
import { ResponseContract } from './support/contract';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';

type Row = { id: string; slug: string; createdAt: Date };

const at = (iso: string) => new Date(iso);
const hours = (n: number) => new Date(Date.UTC(2024, 0, 1, n));

/** Newest first, ties broken by id: the order every list promises. */
const newestFirst = <T extends { id: string }>(key: (row: T) => Date) => (a: T, b: T) =>
  key(b).getTime() - key(a).getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('Public API', () => {
  let contract: ResponseContract;
  let db: TestDatabase;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  /** Every page of a list at limit=2, following nextCursor (20 pages at most): the items of each page, in order. */
  async function walkPages(path: string): Promise<Record<string, unknown>[][]> {
    const pages: Record<string, unknown>[][] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await http()
        .get(path)
        .query({ limit: '2', ...(cursor && { cursor }) })
        .expect(200);
      pages.push(res.body.items);
      cursor = res.body.nextCursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    } while (cursor && pages.length < 20);
    return pages;
  }

  // The scenario, built once: every test reads it and none writes.
  const ws: Record<string, Row> = {};
  let visible: Row[];
  let radarMilestones: { id: string; position: number }[];
  let events: { id: string; workstreamId: string; type: string; occurredAt: Date }[];
  let radarHistory: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootApi(db.url);
    contract = ResponseContract.attach(app);
    const f = factories(db.prisma);

    // Inserted out of order: the API orders them.
    await f.country('JP', 'Japan', 'partner');
    await f.country('TL', 'Timor-Leste', 'observer');
    await f.country('PH', 'Philippines', 'asean');
    await f.country('MY', 'Malaysia', 'asean');
    await f.country('ID', 'Indonesia', 'asean');
    await f.sector('space', 'Space');
    await f.sector('maritime-security', 'Maritime security');
    await f.sector('digital', 'Digital');

    const tokyo = await f.summit({
      slug: 'tokyo-2023',
      name: 'ASEAN–Japan Commemorative Summit',
      startDate: '2023-12-16',
      endDate: '2023-12-18',
      location: 'Tokyo',
      sources: [
        { title: 'Joint Vision Statement', url: 'https://example.org/vision', publisher: 'MOFA', date: '2023-12-17' },
        { title: 'Implementation Plan', url: 'https://example.org/plan', publisher: 'ASEAN' },
      ],
    });
    const jakarta = await f.summit({ slug: 'jakarta-2013', name: 'Earlier summit', startDate: '2013-12-14', endDate: '2013-12-14', location: 'Jakarta' });

    const make = async (key: string, spec: Parameters<typeof f.workstream>[0]) => {
      ws[key] = await f.workstream({ summitId: tokyo.id, ...spec });
    };
    await make('radar', {
      title: 'Coastal surveillance radars', summary: 'Radars for the coast guard.',
      countries: ['PH'], sectors: ['maritime-security'], stage: 'implementation', health: 'off_track', createdAt: hours(1),
    });
    await make('patrol', {
      title: 'Patrol VESSELS for Malaysia', summary: 'About 100 patrol boats over five years.', instrument: 'oda',
      countries: ['MY'], sectors: ['maritime-security'], stage: 'implementation', health: 'at_risk', createdAt: hours(2),
    });
    await make('satellite', {
      title: 'Satellite data sharing', summary: 'A shared dashboard of earth observation.',
      countries: ['MY', 'PH'], sectors: ['space'], stage: 'pipeline', health: 'on_track', createdAt: hours(3),
    });
    await make('cyber', {
      title: 'Cyber 100% coverage', summary: 'Every agency covered.', summitId: jakarta.id,
      countries: ['ID'], sectors: ['digital'], stage: 'finalisation', health: 'on_track', createdAt: hours(4),
    });
    await make('datahub', {
      title: 'Data_hub for the region', summary: 'One exchange point.',
      countries: ['ID'], sectors: ['digital'], stage: 'pipeline', health: 'unknown', createdAt: hours(5),
    });
    // Two with the same createdAt: the id breaks the tie, and pages must not lose or repeat either.
    await make('twinA', { countries: ['JP'], sectors: ['space'], stage: 'closed', health: 'complete', createdAt: hours(6) });
    await make('twinB', { countries: ['JP'], sectors: ['space'], stage: 'closed', health: 'complete', createdAt: hours(6) });
    await make('archived', {
      title: 'Archived vessel deal', summary: 'Withdrawn.',
      countries: ['MY'], sectors: ['maritime-security'], stage: 'cancelled', health: 'inactive', createdAt: hours(7), archivedAt: hours(8),
    });
    visible = Object.entries(ws).filter(([key]) => key !== 'archived').map(([, row]) => row).sort(newestFirst((r) => r.createdAt));

    // Positions inserted out of order.
    radarMilestones = [];
    for (const position of [3, 1, 2]) {
      const m = await f.milestone(ws.radar.id, { position, title: `Step ${position}`, dueDate: `2025-0${position}-01` });
      radarMilestones.push({ id: m.id, position });
    }

    const specs: [string, Parameters<typeof f.event>[1]][] = [
      ['radar', { type: 'workstream.created', occurredAt: at('2024-01-01T01:00:00Z') }],
      ['radar', { type: 'milestone.completed', occurredAt: at('2024-03-10T00:00:00Z'), milestoneId: radarMilestones[1].id }],
      ['radar', { type: 'workstream.health_changed', occurredAt: at('2024-02-01T00:00:00Z'), from: 'on_track', to: 'off_track' }],
      ['patrol', { type: 'workstream.created', occurredAt: at('2024-01-01T02:00:00Z') }],
      ['patrol', { type: 'workstream.health_changed', occurredAt: at('2024-04-01T00:00:00Z'), from: 'on_track', to: 'at_risk' }],
      ['satellite', { type: 'workstream.stage_changed', occurredAt: at('2024-03-01T00:00:00Z'), from: 'pipeline', to: 'implementation' }],
      // Same instant as the one above: the id orders them.
      ['satellite', { type: 'milestone.added', occurredAt: at('2024-03-01T00:00:00Z') }],
      ['cyber', { type: 'milestone.status_changed', occurredAt: at('2024-05-01T00:00:00Z'), from: 'not_started', to: 'in_progress', notify: false }],
      ['archived', { type: 'workstream.stage_changed', occurredAt: at('2024-06-01T00:00:00Z'), from: 'implementation', to: 'cancelled' }],
    ];
    events = [];
    for (const [key, spec] of specs) {
      const e = await f.event(ws[key].id, spec);
      events.push({ id: e.id, workstreamId: e.workstreamId, type: spec.type, occurredAt: e.occurredAt });
    }
    events = events.filter((e) => e.workstreamId !== ws.archived.id).sort(newestFirst((e) => e.occurredAt));
    radarHistory = events.filter((e) => e.workstreamId === ws.radar.id).map((e) => e.id);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const slugsOf = (keys: string[]) => visible.filter((row) => keys.some((key) => ws[key].id === row.id)).map((row) => row.slug);

  async function listSlugs(query: Record<string, string>): Promise<string[]> {
    const res = await http().get('/v1/workstreams').query(query).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return res.body.items.map((item: { slug: string }) => item.slug);
  }

  async function expectValidationError(path: string, field: string, code?: string) {
    const res = await http().get(path).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, ...(code && { code }) })]));
    return res.body;
  }

  describe('catalog', () => {
    it('lists countries: ASEAN members by name, then observers, then partners', async () => {
      const res = await http().get('/v1/countries').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        items: [
          { code: 'ID', name: 'Indonesia', group: 'asean' },
          { code: 'MY', name: 'Malaysia', group: 'asean' },
          { code: 'PH', name: 'Philippines', group: 'asean' },
          { code: 'TL', name: 'Timor-Leste', group: 'observer' },
          { code: 'JP', name: 'Japan', group: 'partner' },
        ],
      });
    });

    it('lists sectors by name', async () => {
      const res = await http().get('/v1/sectors').expect(200);
      expect(res.body.items).toEqual([
        { slug: 'digital', name: 'Digital' },
        { slug: 'maritime-security', name: 'Maritime security' },
        { slug: 'space', name: 'Space' },
      ]);
    });

    it('lists summits, newest first, with calendar dates and ordered sources', async () => {
      const res = await http().get('/v1/summits').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.items).toEqual([
        {
          slug: 'tokyo-2023',
          name: 'ASEAN–Japan Commemorative Summit',
          startDate: '2023-12-16',
          endDate: '2023-12-18',
          location: 'Tokyo',
          sources: [
            { title: 'Joint Vision Statement', url: 'https://example.org/vision', publisher: 'MOFA', date: '2023-12-17' },
            { title: 'Implementation Plan', url: 'https://example.org/plan', publisher: 'ASEAN', date: null },
          ],
        },
        { slug: 'jakarta-2013', name: 'Earlier summit', startDate: '2013-12-14', endDate: '2013-12-14', location: 'Jakarta', sources: [] },
      ]);
    });

    it('refuses query parameters it does not take', async () => {
      await expectValidationError('/v1/countries?group=asean', 'group', 'unknown_field');
    });
  });

  describe('GET /v1/workstreams', () => {
    it('lists every workstream that is not archived, newest first, in the shared view', async () => {
      const res = await http().get('/v1/workstreams').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items.map((i: { slug: string }) => i.slug)).toEqual(visible.map((r) => r.slug));
      expect(res.body.items.find((i: { slug: string }) => i.slug === ws.satellite.slug)).toMatchObject({
        id: ws.satellite.id,
        title: 'Satellite data sharing',
        summit: 'tokyo-2023',
        countries: ['MY', 'PH'],
        sectors: ['space'],
        stage: 'pipeline',
        health: 'on_track',
        archived: false,
        createdAt: hours(3).toISOString(),
      });
    });

    it('answers each item as its detail does, less milestones and history (the two load it apart)', async () => {
      const res = await http().get('/v1/workstreams').query({ limit: '100' }).expect(200);
      expect(res.body.items.length).toBeGreaterThan(1);
      for (const item of res.body.items) {
        const { milestones, history, ...detail } = (await http().get(`/v1/workstreams/${item.slug}`).expect(200)).body;
        expect([milestones, history]).toEqual([expect.any(Array), expect.any(Array)]);
        expect(item).toEqual(detail);
      }
    });

    it.each([
      ['country', { country: 'MY' }, ['patrol', 'satellite']],
      ['country, any case', { country: 'my' }, ['patrol', 'satellite']],
      ['a list of countries', { country: 'MY,PH' }, ['radar', 'patrol', 'satellite']],
      ['sector', { sector: 'maritime-security' }, ['radar', 'patrol']],
      ['a list of sectors', { sector: 'digital,space' }, ['satellite', 'cyber', 'datahub', 'twinA', 'twinB']],
      ['country × sector', { country: 'PH', sector: 'space' }, ['satellite']],
      ['country × sector, the other pair', { country: 'MY', sector: 'maritime-security' }, ['patrol']],
      ['country × sector with no overlap', { country: 'ID', sector: 'space' }, []],
      ['health', { health: 'on_track' }, ['satellite', 'cyber']],
      ['a list of health values', { health: 'on_track,off_track' }, ['radar', 'satellite', 'cyber']],
      ['stage', { stage: 'implementation' }, ['radar', 'patrol']],
      ['summit', { summit: 'jakarta-2013' }, ['cyber']],
      ['instrument', { instrument: 'oda' }, ['patrol']],
      ['a list of instruments', { instrument: 'oda,initiative' }, ['radar', 'patrol', 'satellite', 'cyber', 'datahub', 'twinA', 'twinB']],
      ['q over the title, any case, stemmed', { q: 'VESSEL' }, ['patrol']],
      ['q over the summary', { q: 'DASHBOARD' }, ['satellite']],
      ['q over the slug and a country name', { q: 'indonesia', sort: 'newest' }, ['cyber', 'datahub']],
      ['q over a sector name', { q: 'maritime', sort: 'newest' }, ['radar', 'patrol']],
      ['q with a quoted phrase', { q: '"data sharing"' }, ['satellite']],
      ['q with or', { q: 'dashboard or radars', sort: 'newest' }, ['radar', 'satellite']],
      ['q with -word', { q: 'patrol -malaysia' }, []],
      ['q that is only punctuation', { q: '%' }, []],
      ['q with a backslash', { q: '\\' }, []],
      ['everything at once', { country: 'MY', sector: 'maritime-security', health: 'at_risk', stage: 'implementation', summit: 'tokyo-2023', q: 'patrol' }, ['patrol']],
      ['a filter that excludes the rest', { country: 'MY', health: 'off_track' }, []],
      ['an unknown but well-formed country', { country: 'ZZ' }, []],
      ['an unknown sector', { sector: 'no-such-sector' }, []],
      ['an unknown summit', { summit: 'no-such-summit' }, []],
    ])('filters by %s', async (_label, query, keys) => {
      expect(await listSlugs(query as Record<string, string>)).toEqual(slugsOf(keys));
    });

    it('never lists an archived workstream, whatever the filter', async () => {
      expect(await listSlugs({ q: 'archived' })).toEqual([]);
      expect(await listSlugs({ health: 'inactive' })).toEqual([]);
      expect(await listSlugs({ stage: 'cancelled' })).toEqual([]);
    });

    it('walks every page with limit=2: each item once, in order, and a null cursor on the last page', async () => {
      const pages = await walkPages('/v1/workstreams');
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(2);
      const seen = pages.flat().map((item) => item.slug);
      expect(seen).toEqual(visible.map((r) => r.slug));
      expect(new Set(seen).size).toBe(visible.length);
      expect(pages).toHaveLength(Math.ceil(visible.length / 2));
    });

    it('keeps the filter across pages', async () => {
      const first = await http().get('/v1/workstreams').query({ country: 'MY,PH', limit: '2' }).expect(200);
      expect(first.body.items).toHaveLength(2);
      const second = await http()
        .get('/v1/workstreams')
        .query({ country: 'MY,PH', limit: '2', cursor: first.body.nextCursor })
        .expect(200);
      expect([...first.body.items, ...second.body.items].map((i: { slug: string }) => i.slug)).toEqual(slugsOf(['radar', 'patrol', 'satellite']));
      expect(second.body.nextCursor).toBeNull();
    });

    it('answers a null cursor when the last page is exactly full', async () => {
      const res = await http().get('/v1/workstreams').query({ health: 'complete', limit: '2' }).expect(200);
      expect(res.body.items).toHaveLength(2);
      expect(res.body.nextCursor).toBeNull();
    });

    it.each([
      ['garbage', 'not a cursor!'],
      ['base64url of something else', Buffer.from('{"page":2}').toString('base64url')],
    ])('refuses a bad cursor (%s) with 400 invalid_cursor', async (_label, cursor) => {
      const res = await http().get('/v1/workstreams').query({ cursor }).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'invalid_cursor' });
    });

    it('refuses a cursor issued by the events feed', async () => {
      const events = await http().get('/v1/events?limit=1').expect(200);
      const res = await http().get('/v1/workstreams').query({ cursor: events.body.nextCursor }).expect(400);
      expect(res.body.code).toBe('invalid_cursor');
    });

    it('refuses an unknown health or stage, naming the field', async () => {
      const health = await expectValidationError('/v1/workstreams?health=great', 'health', 'invalid_value');
      expect(health.errors[0].message).toContain('"great"');
      await expectValidationError('/v1/workstreams?stage=done', 'stage', 'invalid_value');
      await expectValidationError('/v1/workstreams?health=on_track,nope', 'health');
    });

    it('refuses a malformed country code', async () => {
      await expectValidationError('/v1/workstreams?country=MYS', 'country');
    });

    it('refuses unknown query parameters', async () => {
      const body = await expectValidationError('/v1/workstreams?country=MY&colour=blue', 'colour', 'unknown_field');
      expect(body.errors).toHaveLength(1);
    });

    it('refuses a repeated parameter rather than picking one of its values', async () => {
      await expectValidationError('/v1/workstreams?country=MY&country=PH', 'country');
    });

    it.each(['0', '101', '-1', '2.5', 'ten', ''])('refuses limit=%s', async (value) => {
      await expectValidationError(`/v1/workstreams?limit=${value}`, 'limit');
    });

    it('accepts limit at both bounds', async () => {
      const one = await http().get('/v1/workstreams?limit=1').expect(200);
      expect(one.body.items).toHaveLength(1);
      expect(one.body.nextCursor).toEqual(expect.any(String));
      const hundred = await http().get('/v1/workstreams?limit=100').expect(200);
      expect(hundred.body.items).toHaveLength(visible.length);
    });

    it('refuses an empty filter value', async () => {
      await expectValidationError('/v1/workstreams?q=', 'q');
    });

    it('ranks search results: a match in the title before one in the summary', async () => {
      await db.prisma.workstream.update({ where: { id: ws.twinA.id }, data: { summary: 'Radar data for the region.' } });
      try {
        expect(await listSlugs({ q: 'radar' })).toEqual(slugsOf(['radar']).concat(slugsOf(['twinA'])));
      } finally {
        await db.prisma.workstream.update({ where: { id: ws.twinA.id }, data: { summary: `Summary of ${ws.twinA.slug}.` } });
      }
    });

    it.each([
      ['severity', ['radar', 'patrol', 'datahub', 'satellite', 'cyber']],
      ['due', ['radar']],
      ['changed', ['cyber', 'patrol', 'radar', 'satellite']],
    ])('sorts by %s, the same across pages of 2 as on one page', async (sort, head) => {
      const whole = await listSlugs({ sort, limit: '100' });
      expect(whole.slice(0, head.length)).toEqual(head.map((key) => ws[key].slug));
      expect(new Set(whole)).toEqual(new Set(visible.map((r) => r.slug)));
      const pages = await walkPages(`/v1/workstreams?sort=${sort}`);
      expect(pages.flat().map((item) => item.slug)).toEqual(whole);
    });

    it('sorts by title and by relevance across pages as on one page', async () => {
      const byTitle = await listSlugs({ sort: 'title', limit: '100' });
      expect(byTitle.slice(0, 3)).toEqual(slugsOf(['radar']).concat(slugsOf(['cyber']), slugsOf(['datahub'])));
      expect((await walkPages('/v1/workstreams?sort=title')).flat().map((item) => item.slug)).toEqual(byTitle);
      const ranked = await listSlugs({ q: 'space or maritime', limit: '100' });
      expect(ranked).toHaveLength(5);
      expect((await walkPages('/v1/workstreams?q=space%20or%20maritime')).flat().map((item) => item.slug)).toEqual(ranked);
    });

    it('refuses a bad sort, relevance without q, a bad instrument and a cursor of another sort, naming the parameter', async () => {
      const sort = await expectValidationError('/v1/workstreams?sort=colour', 'sort');
      expect(sort.errors[0].message).toContain('severity');
      await expectValidationError('/v1/workstreams?sort=relevance', 'sort');
      await expectValidationError('/v1/workstreams?instrument=loan', 'instrument', 'invalid_value');
      const first = await http().get('/v1/workstreams').query({ sort: 'title', limit: '1' }).expect(200);
      const res = await http().get('/v1/workstreams').query({ sort: 'severity', cursor: first.body.nextCursor }).expect(400);
      expect(res.body).toMatchObject({ code: 'invalid_cursor', errors: [expect.objectContaining({ field: 'cursor' })] });
    });
  });

  describe('GET /v1/workstreams/{slug}', () => {
    it('answers the workstream with milestones in position order and history newest first', async () => {
      const res = await http().get(`/v1/workstreams/${ws.radar.slug}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({
        id: ws.radar.id,
        slug: ws.radar.slug,
        title: 'Coastal surveillance radars',
        countries: ['PH'],
        sectors: ['maritime-security'],
        health: 'off_track',
      });
      expect(res.body.milestones.map((m: { position: number }) => m.position)).toEqual([1, 2, 3]);
      expect(res.body.milestones[0]).toMatchObject({ title: 'Step 1', dueDate: '2025-01-01', status: 'not_started' });
      expect(res.body.history.map((e: { id: string }) => e.id)).toEqual(radarHistory);
      expect(res.body.history.map((e: { type: string }) => e.type)).toEqual([
        'milestone.completed',
        'workstream.health_changed',
        'workstream.created',
      ]);
      expect(res.body.history[1]).toMatchObject({ from: 'on_track', to: 'off_track', workstreamId: ws.radar.id });
    });

    it('answers the same workstream by its id', async () => {
      const bySlug = await http().get(`/v1/workstreams/${ws.radar.slug}`).expect(200);
      const byId = await http().get(`/v1/workstreams/${ws.radar.id}`).expect(200);
      expect(byId.body).toEqual(bySlug.body);
    });

    it('answers an empty milestone list and history for a bare workstream', async () => {
      const res = await http().get(`/v1/workstreams/${ws.twinA.slug}`).expect(200);
      expect(res.body).toMatchObject({ milestones: [], history: [] });
    });

    it.each([
      ['an unknown slug', () => 'no-such-workstream'],
      ['an unknown id', () => '00000000-0000-4000-8000-000000000000'],
      ['an archived workstream', () => ws.archived.slug],
      ['an archived workstream by id', () => ws.archived.id],
    ])('answers 404 problem+json for %s', async (_label, slug) => {
      const res = await http().get(`/v1/workstreams/${slug()}`).expect(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404, code: 'not_found' });
    });

    it('refuses query parameters', async () => {
      await expectValidationError(`/v1/workstreams/${ws.radar.slug}?expand=all`, 'expand', 'unknown_field');
    });

    it('sends a browser to the workstream page (303, asOf carried over), and JSON clients get JSON as before', async () => {
      const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
      const page = await http().get(`/v1/workstreams/${ws.radar.slug}`).set('Accept', browser).expect(303);
      expect(page.headers.location).toBe(`/workstreams/${ws.radar.slug}`);
      expect(page.headers.vary).toMatch(/Accept/);
      const asOf = await http().get(`/v1/workstreams/${ws.radar.slug}?asOf=2025-06-30`).set('Accept', browser).expect(303);
      expect(asOf.headers.location).toBe(`/workstreams/${ws.radar.slug}?asOf=2025-06-30`);

      for (const accept of ['application/json', '*/*', 'application/json, text/html', 'application/json;q=1, text/html;q=0.5']) {
        const json = await http().get(`/v1/workstreams/${ws.radar.slug}`).set('Accept', accept).expect(200);
        expect(json.headers['content-type']).toMatch(/^application\/json/);
        expect(json.headers.vary).toMatch(/Accept/);
      }
      const none = await http().get(`/v1/workstreams/${ws.radar.slug}`).unset('Accept').expect(200);
      expect(none.body.slug).toBe(ws.radar.slug);
      // Lists and events are not pages of one workstream: unchanged.
      await http().get('/v1/workstreams').set('Accept', browser).expect(200);
    });
  });

  describe('GET /v1/events', () => {
    const ids = (res: request.Response) => res.body.items.map((e: { id: string }) => e.id);
    const expected = (keep: (e: (typeof events)[number]) => boolean) => events.filter(keep).map((e) => e.id);

    it('lists events of visible workstreams newest first, with the workstream named', async () => {
      const res = await http().get('/v1/events').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(ids(res)).toEqual(events.map((e) => e.id));
      expect(res.body.nextCursor).toBeNull();
      const cyber = res.body.items.find((e: { workstreamId: string }) => e.workstreamId === ws.cyber.id);
      expect(cyber).toEqual({
        id: expect.any(String),
        type: 'milestone.status_changed',
        workstreamId: ws.cyber.id,
        milestoneId: null,
        from: 'not_started',
        to: 'in_progress',
        reason: 'test milestone.status_changed',
        actor: 'test',
        occurredAt: '2024-05-01T00:00:00.000Z',
        notify: false,
        note: null,
        evidenceUrl: null,
        workstream: { slug: ws.cyber.slug, title: 'Cyber 100% coverage' },
      });
    });

    it('leaves out events of archived workstreams', async () => {
      const res = await http().get('/v1/events').query({ workstream: ws.archived.slug }).expect(200);
      expect(res.body.items).toEqual([]);
    });

    type Kept = (e: (typeof events)[number]) => boolean;
    const of = (...keys: string[]): Kept => (e) => keys.some((key) => ws[key].id === e.workstreamId);
    it.each<[string, () => Record<string, string>, Kept]>([
      ['type', () => ({ type: 'workstream.health_changed' }), (e) => e.type === 'workstream.health_changed'],
      ['a list of types', () => ({ type: 'milestone.completed,milestone.added' }), (e) => ['milestone.completed', 'milestone.added'].includes(e.type)],
      ['country', () => ({ country: 'PH' }), of('radar', 'satellite')],
      ['country, any case', () => ({ country: 'ph' }), of('radar', 'satellite')],
      ['sector', () => ({ sector: 'space' }), of('satellite')],
      ['country × sector', () => ({ country: 'MY', sector: 'maritime-security' }), of('patrol')],
      ['since a date', () => ({ since: '2024-03-01' }), (e) => e.occurredAt >= at('2024-03-01T00:00:00Z')],
      ['since an instant with an offset', () => ({ since: '2024-03-10T09:00:00+09:00' }), (e) => e.occurredAt >= at('2024-03-10T00:00:00Z')],
      ['workstream', () => ({ workstream: ws.radar.slug }), of('radar')],
      ['type × country × since', () => ({ type: 'workstream.health_changed', country: 'MY', since: '2024-01-15' }), (e) => of('patrol')(e) && e.type === 'workstream.health_changed'],
    ])('filters by %s', async (_label, query, keep) => {
      const want = expected(keep);
      expect(want.length).toBeGreaterThan(0);
      expect(want.length).toBeLessThan(events.length);
      const res = await http().get('/v1/events').query(query()).expect(200);
      expect(ids(res)).toEqual(want);
    });

    it('answers an empty feed for an unknown but well-formed country', async () => {
      const res = await http().get('/v1/events').query({ country: 'ZZ' }).expect(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
    });

    it('walks every page with limit=2: each event once, in order, ties broken by id', async () => {
      const pages = await walkPages('/v1/events');
      expect(pages.flat().map((item) => item.id)).toEqual(events.map((e) => e.id));
      expect(pages).toHaveLength(Math.ceil(events.length / 2));
    });

    it('pages a filtered feed', async () => {
      const first = await http().get('/v1/events').query({ country: 'PH', limit: '3' }).expect(200);
      const second = await http().get('/v1/events').query({ country: 'PH', limit: '3', cursor: first.body.nextCursor }).expect(200);
      expect([...ids(first), ...ids(second)]).toEqual(expected((e) => [ws.radar.id, ws.satellite.id].includes(e.workstreamId)));
      expect(second.body.nextCursor).toBeNull();
    });

    it('refuses bad parameters, naming them', async () => {
      await expectValidationError('/v1/events?type=milestone.exploded', 'type', 'invalid_value');
      await expectValidationError('/v1/events?since=last-tuesday', 'since');
      await expectValidationError('/v1/events?since=2024-02-30', 'since');
      await expectValidationError('/v1/events?since=2024-03-01T10:00:00', 'since');
      await expectValidationError('/v1/events?limit=101', 'limit');
      await expectValidationError('/v1/events?health=on_track', 'health', 'unknown_field');
    });

    it('refuses a bad cursor, and one from the workstream list', async () => {
      expect((await http().get('/v1/events?cursor=zzz').expect(400)).body.code).toBe('invalid_cursor');
      const list = await http().get('/v1/workstreams?limit=1').expect(200);
      const res = await http().get('/v1/events').query({ cursor: list.body.nextCursor }).expect(400);
      expect(res.body.code).toBe('invalid_cursor');
    });
  });

  it('answered every request above as its OpenAPI schema says', () => {
    expect(contract.violations).toEqual([]);
    expect(contract.count).toBeGreaterThan(10);
  });
});
