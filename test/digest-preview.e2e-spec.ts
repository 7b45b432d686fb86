import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { seed } from '../prisma/seed';
import { bootApi } from './support/api';
import { bearer, insertApiKey } from './support/admin';
import { createTestDatabase, TestDatabase } from './support/database';
import { digestSubscriber } from './support/digest-harness';
import { followAsBrowser, linksIn } from './support/follow-links';

/** The seed evaluated at the start of November, then again late in the month: its health changes are the week's news. */
const SAMPLE_SEED_AS_OF = [new Date('2026-11-02T06:00:00Z'), new Date('2026-11-27T06:00:00Z')];
const SAMPLE_DIGEST_AS_OF = '2026-11-30T08:00:00Z';
const ARTIFACT = path.resolve(__dirname, 'artifacts/digest-seeded.html');

/**
 * GET /v1/admin/digests/preview on the seeded data: the digest a subscriber would get, rendered
 * exactly as the send path renders it, and nothing written. Leaves the rendered digest of the
 * seeded data in test/artifacts/digest-seeded.html.
 */
describe('GET /v1/admin/digests/preview', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let admin: string;
  let editor: string;
  let subscriberId: string;

  const preview = (query: string, key = admin) => request(app.getHttpServer()).get(`/v1/admin/digests/preview?${query}`).set(bearer(key));

  beforeAll(async () => {
    db = await createTestDatabase('pw_digest_preview');
    for (const asOf of SAMPLE_SEED_AS_OF) await seed(db.prisma, { asOf });
    const analyst = await digestSubscriber(db.prisma, {
      email: 'Analyst@Example.org'.toLowerCase(),
      timezone: 'Asia/Manila',
      topics: [{ countryCode: 'PH' }, { countryCode: 'MY' }, { sectorSlug: 'maritime-security' }, { countryCode: 'VN', sectorSlug: 'defense' }],
    });
    subscriberId = analyst.id;
    admin = (await insertApiKey(db.prisma, 'admin', 'admin')).key;
    editor = (await insertApiKey(db.prisma, 'editor', 'editor')).key;
    app = await bootApi(db.url, { QUEUE_PREFIX: 'test-digest-preview', PUBLIC_BASE_URL: 'https://pledgewatch.example' });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('renders the seeded digest as HTML by default, writing nothing', async () => {
    const before = await Promise.all([db.prisma.delivery.count(), db.prisma.subscriberToken.count(), db.prisma.auditEntry.count()]);
    const res = await preview(`subscriber=analyst%40example.org&asOf=${SAMPLE_DIGEST_AS_OF}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const html = res.text;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Your weekly digest');
    expect(html).toContain('Week of 30 November 2026');
    expect(html).toContain('Scorecard');
    expect(html).toMatch(/href="https:\/\/pledgewatch\.example\/v1\/subscriptions\/manage\?token(=|&#x3D;)[^"]+"/);
    expect(html).not.toMatch(/<script|<img/i);
    expect(await Promise.all([db.prisma.delivery.count(), db.prisma.subscriberToken.count(), db.prisma.auditEntry.count()])).toEqual(before);

    mkdirSync(path.dirname(ARTIFACT), { recursive: true });
    writeFileSync(ARTIFACT, html);
  });

  it('every link in the digest, in both parts, opens a page (the feed links, their feeds); nothing says "for N days"', async () => {
    const res = await preview(`subscriber=${subscriberId}&asOf=${SAMPLE_DIGEST_AS_OF}`).set('Accept', 'application/json').expect(200);
    const links = linksIn(res.body.html, res.body.text);
    expect(links.some((l: string) => l.includes('/v1/workstreams/'))).toBe(false);
    const followed = await followAsBrowser(app.getHttpServer(), 'https://pledgewatch.example', links);
    const paths = followed.map((f) => new URL(f.link).pathname);
    expect(paths.filter((p) => p.startsWith('/workstreams/')).length).toBeGreaterThan(0);
    expect(paths).toEqual(expect.arrayContaining(['/v1/subscriptions/manage', '/v1/subscriptions/unsubscribe']));
    expect(res.body.text).not.toMatch(/for \d+ days?\b/);
    expect(res.body.text).toMatch(/(off track|at risk) since \d{1,2} [A-Z][a-z]+ \d{4}/);
  });

  it('answers { subject, html, text } to Accept: application/json, by id as well as by email', async () => {
    const res = await preview(`subscriber=${subscriberId}&asOf=${SAMPLE_DIGEST_AS_OF}`).set('Accept', 'application/json').expect(200);
    expect(res.body).toMatchObject({
      subscriber: { id: subscriberId, email: 'analyst@example.org', timezone: 'Asia/Manila' },
      asOf: '2026-11-30T08:00:00.000Z',
      subject: expect.stringMatching(/^Pledgewatch weekly, 30 November 2026: /),
      html: expect.stringContaining('Your weekly digest'),
      text: expect.stringContaining('WHAT CHANGED'),
    });
    expect(res.body.text).toContain('SCORECARD');
    expect(res.body.text).toMatch(/Philippines: \[[#+!.]{20}\] \d+ on time, \d+ late, \d+ overdue/);
  });

  it('defaults asOf to now; refuses a bad asOf (400), an unknown subscriber (404), an editor (403), no key (401)', async () => {
    await preview(`subscriber=${subscriberId}`).set('Accept', 'application/json').expect(200);
    const bad = await preview(`subscriber=${subscriberId}&asOf=next-monday`).expect(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed' });
    const missing = await preview('subscriber=nobody%40example.org').expect(404);
    expect(missing.body).toMatchObject({ code: 'not_found' });
    await preview(`subscriber=${subscriberId}`, editor).expect(403);
    await request(app.getHttpServer()).get(`/v1/admin/digests/preview?subscriber=${subscriberId}`).expect(401);
    await preview('').expect(400);
  });
});
