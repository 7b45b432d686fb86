import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser } from 'fast-xml-parser';
import ICAL from 'ical.js';
import { StatusCheckService } from '@pledgewatch/status';
import { bootApi } from './support/api';
import { followAsBrowser, linksIn } from './support/follow-links';
import { bearer, insertApiKey } from './support/admin';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';

const BASE = 'http://pledgewatch.test';
const at = (iso: string) => new Date(iso);

/** A response body as text, whatever its content type (supertest parses only the ones it knows). */
const asText = (req: request.Test) =>
  req.buffer(true).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => done(null, text));
  });

interface ParsedVevent {
  uid: string;
  sequence: number;
  start: string;
  isDate: boolean;
  summary: string;
  description: string;
  status: string | null;
  url: string | null;
  stamp: string;
}

/** The calendar read back with ical.js: every VEVENT by UID. */
function readCalendar(text: string): Map<string, ParsedVevent> {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = new Map<string, ParsedVevent>();
  for (const vevent of calendar.getAllSubcomponents('vevent')) {
    const event = new ICAL.Event(vevent);
    events.set(event.uid, {
      uid: event.uid,
      sequence: event.sequence,
      start: event.startDate.toString(),
      isDate: event.startDate.isDate,
      summary: event.summary,
      description: event.description,
      status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
      url: (vevent.getFirstPropertyValue('url') as string | null) ?? null,
      stamp: String(vevent.getFirstPropertyValue('dtstamp')),
    });
  }
  return events;
}

describe('Feeds: Atom of events, iCalendar of milestones', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let editor: Record<string, string>;
  const queuePrefix = testQueuePrefix('feeds');
  const http = () => request(app.getHttpServer());

  const ws: Record<string, { id: string; slug: string }> = {};
  const ev: Record<string, { id: string; occurredAt: Date }> = {};
  const ms: Record<string, { id: string }> = {};
  const MARKUP = 'Vendor said <script>alert("x")</script> & <b>bold</b> ]]> done';
  const LONG_NOTE = `Planning assumption: ${'the coast guard expects the radar sites on Luzon, Palawan and Mindanao to be commissioned in one tranche; '.repeat(6)}— end of note ✓`;

  beforeAll(async () => {
    db = await createTestDatabase();
    const f = factories(db.prisma);
    for (const [code, name] of [['PH', 'Philippines'], ['ID', 'Indonesia'], ['MY', 'Malaysia'], ['JP', 'Japan']]) await f.country(code, name);
    await f.sector('maritime-security', 'Maritime security');
    await f.sector('space', 'Space');

    const make = async (key: string, title: string, countries: string[], sectors: string[], archivedAt: Date | null = null) => {
      ws[key] = await f.workstream({ title, countries, sectors, archivedAt, slug: `${key}-feeds` });
    };
    await make('indonesia', 'Patrol vessel for Indonesia', ['ID', 'JP'], ['maritime-security']);
    await make('radars', 'Coastal radars for the Philippines', ['PH', 'JP'], ['maritime-security']);
    await make('satellite', 'Philippine earth-observation satellite', ['PH'], ['space']);
    await make('malaysia', 'Patrol boats for Malaysia', ['MY'], ['maritime-security']);
    await make('archived', 'Archived Philippine coast guard item', ['PH'], ['maritime-security'], at('2025-01-01T00:00:00Z'));

    ms.radarSites = await db.prisma.milestone.create({
      data: { workstreamId: ws.radars.id, title: 'Radar sites commissioned', dueDate: at('2026-06-30'), status: 'not_started', dateBasis: 'assumed', note: LONG_NOTE, position: 1 },
    });
    ms.radarLoan = await db.prisma.milestone.create({
      data: {
        workstreamId: ws.radars.id, title: 'Loan agreement signed', dueDate: at('2024-03-31'), completedOn: at('2024-03-20'), status: 'completed',
        dateBasis: 'sourced', evidenceUrl: 'https://example.org/loan?a=1&b=2', position: 2,
      },
    });
    ms.radarSurvey = await db.prisma.milestone.create({
      data: { workstreamId: ws.radars.id, title: 'Site survey', dueDate: at('2025-01-31'), status: 'overdue', dateBasis: 'planned', position: 3 },
    });
    ms.satelliteLaunch = await db.prisma.milestone.create({
      data: { workstreamId: ws.satellite.id, title: 'Launch', dueDate: at('2027-02-01'), status: 'not_started', dateBasis: 'planned', position: 1 },
    });
    ms.malaysiaBoats = await db.prisma.milestone.create({
      data: { workstreamId: ws.malaysia.id, title: 'Boats delivered', dueDate: at('2026-09-30'), status: 'in_progress', dateBasis: 'planned', position: 1 },
    });
    ms.groundStation = await db.prisma.milestone.create({
      data: { workstreamId: ws.satellite.id, title: 'Ground station built', dueDate: at('2025-06-01'), status: 'not_started', dateBasis: 'sourced', position: 2 },
    });
    ms.archived = await db.prisma.milestone.create({
      data: { workstreamId: ws.archived.id, title: 'Hidden', dueDate: at('2026-01-01'), position: 1 },
    });

    ev.indonesiaHealth = await f.event(ws.indonesia.id, { type: 'workstream.health_changed', from: 'off_track', to: 'at_risk', reason: 'The hull was delivered.', occurredAt: at('2025-05-01T00:00:00Z') });
    ev.radarsCreated = await f.event(ws.radars.id, { type: 'workstream.created', to: 'on_track', reason: 'Entered the tracker.', occurredAt: at('2024-01-01T00:00:00Z') });
    ev.radarsLoan = await f.event(ws.radars.id, { type: 'milestone.completed', milestoneId: ms.radarLoan.id, from: 'in_progress', to: 'completed', reason: MARKUP, occurredAt: at('2024-03-20T00:00:00Z') });
    ev.radarsHealth = await f.event(ws.radars.id, { type: 'workstream.health_changed', from: 'on_track', to: 'off_track', reason: 'Survey overdue.', occurredAt: at('2025-02-15T09:30:00Z') });
    ev.satellite = await f.event(ws.satellite.id, { type: 'workstream.stage_changed', from: 'pipeline', to: 'implementation', reason: 'Contract signed.', occurredAt: at('2025-03-01T00:00:00Z') });
    ev.malaysia = await f.event(ws.malaysia.id, { type: 'milestone.rescheduled', from: '2026-06-30', to: '2026-09-30', reason: 'Shipyard delay.', occurredAt: at('2025-04-01T00:00:00Z') });
    ev.archived = await f.event(ws.archived.id, { type: 'workstream.health_changed', from: 'on_track', to: 'at_risk', reason: 'Hidden.', occurredAt: at('2025-06-01T00:00:00Z') });

    editor = bearer((await insertApiKey(db.prisma, 'feeds-editor', 'editor')).key);
    app = await bootApi(db.url, { PUBLIC_BASE_URL: BASE, QUEUE_PREFIX: queuePrefix });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await dropQueueKeys(queuePrefix);
  });

  describe('GET /v1/feeds/events.atom', () => {
    const atom = (query: Record<string, string> = {}) => asText(http().get('/v1/feeds/events.atom').query(query));

    it('holds exactly the PH × maritime-security events, newest first, with stable ids, dates, titles and links', async () => {
      const res = await atom({ country: 'PH', sector: 'maritime-security' }).expect(200);
      expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
      const feed = parseFeed(res.body as string);
      const expected = [ev.radarsHealth, ev.radarsLoan, ev.radarsCreated];
      expect(feed.items.map((item) => item.id)).toEqual(expected.map((e) => `urn:uuid:${e.id}`));
      expect(feed.items.map((item) => item.updated?.toISOString())).toEqual(expected.map((e) => e.occurredAt.toISOString()));
      expect(feed.items.map((item) => item.title)).toEqual([
        'Coastal radars for the Philippines: Health changed from on track to off track: Survey overdue',
        "Coastal radars for the Philippines: Milestone 'Loan agreement signed' completed on 20 March 2024",
        'Coastal radars for the Philippines: Tracking began',
      ]);
      // Each entry links the workstream's page, which a browser opens as HTML.
      expect(feed.items.map((item) => item.url)).toEqual(expected.map(() => `${BASE}/workstreams/${ws.radars.slug}`));
      const opened = await followAsBrowser(app.getHttpServer(), BASE, linksIn(res.body as string).filter((l) => !l.includes('/v1/feeds/')));
      expect(opened.map((o) => new URL(o.link).pathname)).toEqual(expect.arrayContaining([`/workstreams/${ws.radars.slug}`, '/changes']));
      expect(feed.updated?.toISOString()).toBe(ev.radarsHealth.occurredAt.toISOString());
      expect(feed.self).toBe(`${BASE}/v1/feeds/events.atom?country=PH&sector=maritime-security`);
    });

    it('titles a health change the way a person says it, and the same id every time', async () => {
      const first = parseFeed((await atom({ workstream: ws.indonesia.slug }).expect(200)).body as string);
      const again = parseFeed((await atom({ country: 'ID' }).expect(200)).body as string);
      expect(first.items.map((i) => [i.id, i.title])).toEqual([[`urn:uuid:${ev.indonesiaHealth.id}`, 'Patrol vessel for Indonesia: Health changed from off track to at risk: The hull was delivered']]);
      expect(again.items.map((i) => i.id)).toEqual(first.items.map((i) => i.id));
    });

    it('puts the reason and the evidence link in the content, markup escaped', async () => {
      const res = await atom({ workstream: ws.radars.slug }).expect(200);
      const xml = res.body as string;
      expect(xml).not.toContain('<script');
      // The entry's XML as written: content is type="html", so what the editor typed must be
      // escaped HTML inside it (shown as text, never run as markup). feed-parser decodes HTML
      // entities in content, so the element's exact text is read with an XML parser.
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: 'text' }).parse(xml);
      const entries: { id: string; content: { type: string; text: string }; link: { href: string } }[] = doc.feed.entry;
      const loan = entries.find((e) => e.id === `urn:uuid:${ev.radarsLoan.id}`)!;
      expect(loan.content.type).toBe('html');
      expect(loan.content.text).toContain('<p>Vendor said &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; ]]&gt; done</p>');
      expect(loan.content.text).not.toContain('<script');
      expect(loan.content.text).not.toContain('<b>');
      expect(loan.content.text).toContain('<a href="https://example.org/loan?a=1&amp;b=2">https://example.org/loan?a=1&amp;b=2</a>');
      expect(loan.content.text).toContain("<p>Milestone 'Loan agreement signed' completed on 20 March 2024.</p>");
      expect(loan.content.text).toContain(`<a href="${BASE}/workstreams/${ws.radars.slug}">Coastal radars for the Philippines</a>`);
      expect(loan.link.href).toBe(`${BASE}/workstreams/${ws.radars.slug}`);
      // And a feed reader shows the reason itself.
      const read = parseFeed(xml).items.find((i) => i.id === `urn:uuid:${ev.radarsLoan.id}`)!;
      expect(read.content).toContain(MARKUP);
    });

    it('answers 304 to If-None-Match with the last ETag, and to If-Modified-Since the newest event', async () => {
      const first = await atom({ country: 'PH' }).expect(200);
      const etag = first.headers.etag;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(first.headers['last-modified']).toBe(ev.satellite.occurredAt.toUTCString());

      const cached = await http().get('/v1/feeds/events.atom').query({ country: 'PH' }).set('If-None-Match', etag).expect(304);
      expect(cached.headers.etag).toBe(etag);
      expect(cached.text ?? '').toBe('');
      await http().get('/v1/feeds/events.atom').query({ country: 'PH' }).set('If-Modified-Since', first.headers['last-modified']).expect(304);
      await atom({ country: 'PH' }).set('If-None-Match', '"something-else"').expect(200);
      // Another filter is another representation.
      const other = await atom({ country: 'MY' }).set('If-None-Match', etag).expect(200);
      expect(other.headers.etag).not.toBe(etag);
    });

    it('a new event changes the ETag', async () => {
      const before = (await atom({ country: 'MY' }).expect(200)).headers.etag;
      const added = await factories(db.prisma).event(ws.malaysia.id, { type: 'milestone.added', milestoneId: ms.malaysiaBoats.id, reason: 'Added.', occurredAt: at('2025-04-02T00:00:00Z') });
      const res = await atom({ country: 'MY' }).set('If-None-Match', before).expect(200);
      expect(res.headers.etag).not.toBe(before);
      expect(parseFeed(res.body as string).items[0]).toMatchObject({ id: `urn:uuid:${added.id}`, title: expect.stringMatching(/^Patrol boats for Malaysia: Milestone 'Boats delivered' added, due /) });
      await db.prisma.event.delete({ where: { id: added.id } });
    });

    it('takes the /v1/events filters: since, type, lists', async () => {
      const since = parseFeed((await atom({ country: 'PH', since: '2024-03-01' }).expect(200)).body as string);
      expect(since.items.map((i) => i.id)).toEqual([ev.satellite, ev.radarsHealth, ev.radarsLoan].map((e) => `urn:uuid:${e.id}`));
      const typed = parseFeed((await atom({ type: 'workstream.health_changed' }).expect(200)).body as string);
      expect(typed.items.map((i) => i.id)).toEqual([ev.indonesiaHealth, ev.radarsHealth].map((e) => `urn:uuid:${e.id}`));
      const listed = parseFeed((await atom({ country: 'MY,ID' }).expect(200)).body as string);
      expect(listed.items.map((i) => i.id)).toEqual([ev.indonesiaHealth, ev.malaysia].map((e) => `urn:uuid:${e.id}`));
    });

    it('a well-formed but unknown country or sector is an empty feed', async () => {
      for (const query of [{ country: 'ZZ' }, { sector: 'no-such-sector' }, { workstream: 'no-such-workstream' }] as Record<string, string>[]) {
        const res = await atom(query).expect(200);
        const feed = parseFeed(res.body as string);
        expect(feed.items).toEqual([]);
        expect(res.headers['last-modified']).toBeUndefined();
      }
    });
  });

  describe('GET /v1/feeds/milestones.ics', () => {
    const ics = (query: Record<string, string> = {}) => asText(http().get('/v1/feeds/milestones.ics').query(query));
    const uid = (id: string) => `${id}@pledgewatch.test`;

    it('has one all-day VEVENT per milestone of the matching workstreams, with UID, SEQUENCE, DTSTAMP, SUMMARY, DESCRIPTION, URL', async () => {
      const res = await ics({ country: 'PH', sector: 'maritime-security' }).expect(200);
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
      const text = res.body as string;
      // RFC 5545: CRLF after every line, none longer than 75 octets.
      expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);

      const events = readCalendar(text);
      expect([...events.keys()].sort()).toEqual([ms.radarSites, ms.radarLoan, ms.radarSurvey].map((m) => uid(m.id)).sort());
      const sites = events.get(uid(ms.radarSites.id))!;
      expect(sites).toMatchObject({
        sequence: 1,
        start: '2026-06-30',
        isDate: true,
        summary: 'Coastal radars for the Philippines: Radar sites commissioned',
        status: 'TENTATIVE',
        url: `${BASE}/workstreams/${ws.radars.slug}`,
      });
      // Every URL in the calendar opens a page.
      const opened = await followAsBrowser(app.getHttpServer(), BASE, [...events.values()].map((e) => e.url as string));
      expect(opened.length).toBe(events.size);
      expect(sites.description).toContain("Date basis: a planning assumption (the editors' estimate; no date was announced).");
      expect(events.get(uid(ms.radarLoan.id))).toMatchObject({ summary: '[Completed] Coastal radars for the Philippines: Loan agreement signed', status: 'CONFIRMED' });
      expect(events.get(uid(ms.radarLoan.id))!.description).toContain('Date basis: sourced (a dated fact, with its source).');
      expect(events.get(uid(ms.radarLoan.id))!.description).toContain('Evidence: https://example.org/loan?a=1&b=2');
      expect(events.get(uid(ms.radarSurvey.id))).toMatchObject({ summary: '[Overdue] Coastal radars for the Philippines: Site survey' });
      expect(events.get(uid(ms.radarSurvey.id))!.description).toContain('Date basis: planned (a date its owner announced).');
    });

    it('a folded long line reads back whole', async () => {
      const text = (await ics({ workstream: ws.radars.slug }).expect(200)).body as string;
      expect(text).toMatch(/\r\n [^\r\n]/); // the long DESCRIPTION is folded
      const sites = readCalendar(text).get(uid(ms.radarSites.id))!;
      expect(sites.description.split('\n')).toContain(LONG_NOTE);
    });

    it('after a reschedule: the same UID, a higher SEQUENCE, the new date; cancelled is CANCELLED', async () => {
      const before = readCalendar((await ics({ country: 'MY' }).expect(200)).body as string).get(uid(ms.malaysiaBoats.id))!;
      const etag = (await ics({ country: 'MY' })).headers.etag;
      await http().patch(`/v1/admin/milestones/${ms.malaysiaBoats.id}`).set(editor).send({ dueDate: '2027-03-31', notify: false }).expect(200);

      const rescheduledRes = await ics({ country: 'MY' }).set('If-None-Match', etag).expect(200);
      const rescheduled = readCalendar(rescheduledRes.body as string).get(uid(ms.malaysiaBoats.id))!;
      expect(rescheduled.uid).toBe(before.uid);
      expect(rescheduled.sequence).toBeGreaterThan(before.sequence);
      expect(rescheduled.start).toBe('2027-03-31');

      await http().patch(`/v1/admin/milestones/${ms.malaysiaBoats.id}`).set(editor).send({ status: 'cancelled', notify: false }).expect(200);
      const cancelled = readCalendar((await ics({ country: 'MY' }).expect(200)).body as string).get(uid(ms.malaysiaBoats.id))!;
      expect(cancelled).toMatchObject({ uid: before.uid, status: 'CANCELLED', summary: '[Cancelled] Patrol boats for Malaysia: Boats delivered' });
      expect(cancelled.sequence).toBeGreaterThan(rescheduled.sequence);
    });

    it('answers 304 to If-None-Match while nothing changed', async () => {
      const first = await ics({ sector: 'space' }).expect(200);
      await http().get('/v1/feeds/milestones.ics').query({ sector: 'space' }).set('If-None-Match', first.headers.etag).expect(304);
      expect(first.headers['last-modified']).toBeDefined();
    });

    it('leaves out archived workstreams; an unknown country is an empty calendar', async () => {
      const all = readCalendar((await ics().expect(200)).body as string);
      expect(all.has(uid(ms.archived.id))).toBe(false);
      expect(all.has(uid(ms.satelliteLaunch.id))).toBe(true);
      const none = (await ics({ country: 'ZZ' }).expect(200)).body as string;
      expect(readCalendar(none).size).toBe(0);
      expect(none.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    });
  });

  describe('bad input: 400 problem+json naming the field, as the JSON lists do', () => {
    it.each<[string, string, string]>([
      ['/v1/feeds/events.atom?colour=blue', 'colour', 'unknown_field'],
      ['/v1/feeds/events.atom?country=PHL', 'country', 'invalid_format'],
      ['/v1/feeds/events.atom?since=2024-02-30', 'since', 'invalid_format'],
      ['/v1/feeds/events.atom?type=milestone.exploded', 'type', 'invalid_value'],
      ['/v1/feeds/events.atom?country=PH&country=MY', 'country', 'invalid_type'],
      ['/v1/feeds/events.atom?limit=5', 'limit', 'unknown_field'],
      ['/v1/feeds/milestones.ics?type=milestone.completed', 'type', 'unknown_field'],
      ['/v1/feeds/milestones.ics?country=1', 'country', 'invalid_format'],
      ['/v1/feeds/milestones.ics?sector=%20', 'sector', 'too_small'],
    ])('%s → %s', async (path, field, code) => {
      const res = await http().get(path).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
      // The same parameter fails the same way on the JSON list.
      if (path.startsWith('/v1/feeds/events.atom') && field !== 'limit') {
        const json = await http().get(path.replace('/v1/feeds/events.atom', '/v1/events')).expect(400);
        expect(json.body.errors).toEqual(res.body.errors);
      }
    });
  });

  describe('links', () => {
    it('the workstream view links its Atom feed and calendar, which answer', async () => {
      const res = await http().get(`/v1/workstreams/${ws.radars.slug}`).expect(200);
      expect(res.body.feeds).toEqual({
        atom: `${BASE}/v1/feeds/events.atom?workstream=${ws.radars.slug}`,
        calendar: `${BASE}/v1/feeds/milestones.ics?workstream=${ws.radars.slug}`,
        webcal: `webcal://pledgewatch.test/v1/feeds/milestones.ics?workstream=${ws.radars.slug}`,
      });
      const list = await http().get('/v1/workstreams').query({ country: 'ID' }).expect(200);
      expect(list.body.items.map((w: { feeds: { atom: string } }) => w.feeds.atom)).toEqual([`${BASE}/v1/feeds/events.atom?workstream=${ws.indonesia.slug}`]);
      await http().get(new URL(res.body.feeds.atom).pathname + new URL(res.body.feeds.atom).search).expect(200);
      await http().get(new URL(res.body.feeds.calendar).pathname + new URL(res.body.feeds.calendar).search).expect(200);
    });

    it('a feed by workstream id matches the feed by slug (the digests link followed workstreams by id)', async () => {
      const bySlug = parseFeed((await atom2({ workstream: ws.radars.slug })).body as string);
      const byId = parseFeed((await atom2({ workstream: ws.radars.id })).body as string);
      expect(byId.items.map((i) => i.id)).toEqual(bySlug.items.map((i) => i.id));
      expect(bySlug.items.length).toBe(3);
    });
    const atom2 = (query: Record<string, string>) => asText(http().get('/v1/feeds/events.atom').query(query)).expect(200);
  });

  // Last: the check rewrites statuses and health across this file's data.
  describe('after the scheduled check flags a milestone overdue', () => {
    it('its VEVENT keeps its UID, shows [Overdue] and a higher SEQUENCE', async () => {
      const key = `${ms.groundStation.id}@pledgewatch.test`;
      const before = readCalendar((await asText(http().get('/v1/feeds/milestones.ics').query({ sector: 'space' })).expect(200)).body as string).get(key)!;
      expect(before.summary).toBe('Philippine earth-observation satellite: Ground station built');
      await app.get(StatusCheckService).run();
      const after = readCalendar((await asText(http().get('/v1/feeds/milestones.ics').query({ sector: 'space' })).expect(200)).body as string).get(key)!;
      expect(after.summary).toBe('[Overdue] Philippine earth-observation satellite: Ground station built');
      expect(after.sequence).toBe(before.sequence + 1);
      expect(after.start).toBe(before.start);
    });
  });
});
