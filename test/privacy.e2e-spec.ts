import request from 'supertest';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { SubscriberLinks } from '@pledgewatch/subscriber-links';
import { PrivacySchedule } from '../apps/worker/src/privacy/privacy.schedule';
import { bearer, insertApiKey } from './support/admin';
import { bootWorker, eventually, testEnv } from './support/alerts-harness';
import { bootApi } from './support/api';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

const DAY = 24 * 3600 * 1000;
const JSON_ACCEPT = 'application/json';

/**
 * What the service keeps about a person, and when it lets go (docs/privacy.md). Every erasure is
 * checked against the database itself: no row of any table mentions the address afterwards.
 */
describe('Privacy: retention and erasure', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let app: INestApplication;
  let worker: INestApplicationContext;
  let env: Record<string, string>;
  let links: SubscriberLinks;
  const http = () => request(app.getHttpServer());

  /** Rows, in any table of the schema, whose text mentions `needle`: the database's own view, not the API's. */
  async function rowsMentioning(needle: string): Promise<Record<string, number>> {
    const tables = await db.prisma.$queryRaw<{ name: string }[]>`
      SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    const found: Record<string, number> = {};
    for (const { name } of tables) {
      const [{ n }] = await db.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${name}" t WHERE t::text ILIKE $1`, `%${needle}%`);
      if (n) found[name] = n;
    }
    return found;
  }

  /** A subscriber with a topic, a used token and a sent delivery whose error quotes the address, aged as told. */
  async function person(email: string, state: 'pending' | 'active' | 'unsubscribed', ages: { updatedDaysAgo?: number; unsubscribedDaysAgo?: number } = {}) {
    const row = await factories(db.prisma).subscriber({ email, state, topics: [{ countryCode: 'PH' }] });
    await db.prisma.subscriberToken.create({ data: { subscriberId: row.id, purpose: 'confirm', tokenHash: `${row.id}`.padEnd(64, '0'), expiresAt: new Date(Date.now() + DAY) } });
    await db.prisma.delivery.create({ data: { kind: 'confirmation', subscriberId: row.id, status: 'failed', attempts: 1, lastError: `550 <${email}> mailbox unavailable` } });
    await db.prisma.$executeRaw`
      UPDATE "Subscriber" SET "updatedAt" = (now() AT TIME ZONE 'UTC') - make_interval(days => ${ages.updatedDaysAgo ?? 0}),
             "unsubscribedAt" = CASE WHEN state = 'unsubscribed' THEN (now() AT TIME ZONE 'UTC') - make_interval(days => ${ages.unsubscribedDaysAgo ?? 0}) END
       WHERE id = ${row.id}::uuid`;
    return row;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    sink = await startSmtpSink();
    env = testEnv(db.url, testQueuePrefix('privacy'), sink.url, { PUBLIC_BASE_URL: 'http://pledgewatch.test' });
    app = await bootApi(db.url, env);
    worker = await bootWorker(env);
    links = app.get(SubscriberLinks);
    await factories(db.prisma).country('PH', 'Philippines');
  });

  afterAll(async () => {
    await app?.close();
    await worker?.close();
    await sink?.close();
    await dropQueueKeys(env.QUEUE_PREFIX);
    await db?.drop();
  });

  it('the hourly job erases never-confirmed addresses after 7 days and unsubscribed ones after 30, with all their rows', async () => {
    const gone = [
      await person('never-confirmed@example.org', 'pending', { updatedDaysAgo: 8 }),
      await person('left-long-ago@example.org', 'unsubscribed', { updatedDaysAgo: 40, unsubscribedDaysAgo: 31 }),
    ];
    const kept = [
      await person('still-deciding@example.org', 'pending', { updatedDaysAgo: 6 }),
      await person('left-lately@example.org', 'unsubscribed', { updatedDaysAgo: 40, unsubscribedDaysAgo: 29 }),
      await person('reader@example.org', 'active', { updatedDaysAgo: 400 }),
    ];
    for (const p of [...gone, ...kept]) expect(Object.keys(await rowsMentioning(p.email)).length).toBeGreaterThan(0);

    // The cron's own enqueue (one job per hourly slot), run by the worker's processor.
    await worker.get(PrivacySchedule).enqueue(new Date());
    await eventually(async () => (await db.prisma.subscriber.count({ where: { id: { in: gone.map((p) => p.id) } } })) === 0, 20_000, 'the erasure');

    for (const p of gone) {
      expect(await rowsMentioning(p.email)).toEqual({});
      expect(await db.prisma.delivery.count({ where: { subscriberId: p.id } })).toBe(0);
      expect(await db.prisma.subscriberToken.count({ where: { subscriberId: p.id } })).toBe(0);
      expect(await db.prisma.subscription.count({ where: { subscriberId: p.id } })).toBe(0);
    }
    for (const p of kept) {
      expect(await db.prisma.subscriber.findUnique({ where: { id: p.id } })).toMatchObject({ email: p.email });
      expect(await db.prisma.delivery.count({ where: { subscriberId: p.id } })).toBe(1);
    }
  });

  it('the manage page\'s JSON shows everything held; "delete my data" shows a page, and only its POST erases', async () => {
    const subscriber = await person('leaving@example.org', 'active');
    const manage = links.manageUrl(subscriber).replace('http://pledgewatch.test', '');
    const erase = manage.replace('/manage?', '/erase?');

    const held = await http().get(manage).set('Accept', JSON_ACCEPT).expect(200);
    expect(held.body).toMatchObject({
      subscription: { email: 'leaving@example.org', state: 'active', countries: ['PH'] },
      held: {
        id: subscriber.id,
        createdAt: expect.any(String),
        confirmedAt: expect.any(String),
        unsubscribedAt: null,
        confirmationLinks: [{ purpose: 'confirm', usedAt: null }],
        deliveries: [{ kind: 'confirmation', status: 'failed', attempts: 1, lastError: '550 <leaving@example.org> mailbox unavailable' }],
      },
    });
    const page = await http().get(manage).expect(200);
    expect(page.text).toContain(`href="erase?token&#x3D;`);

    // Opening the page (or a scanner opening it) erases nothing.
    const confirmPage = await http().get(erase).expect(200);
    expect(confirmPage.text).toContain('<form method="post" action="erase?token&#x3D;');
    await http().head(erase).expect(200);
    expect(await db.prisma.subscriber.count({ where: { id: subscriber.id } })).toBe(1);

    const erased = await http().post(erase).type('form').send('').expect(200);
    expect(erased.text).toContain('Everything Pledgewatch held about leaving@example.org is erased');
    expect(await rowsMentioning('leaving@example.org')).toEqual({});
    expect(await db.prisma.delivery.count({ where: { subscriberId: subscriber.id } })).toBe(0);
    // The link now leads nowhere.
    expect((await http().get(manage).set('Accept', JSON_ACCEPT).expect(404)).body.code).toBe('subscriber_not_found');
    expect((await http().post(erase).set('Accept', JSON_ACCEPT).expect(404)).body.code).toBe('subscriber_not_found');
  });

  it('erases from the JSON API too, and an admin erases with DELETE /v1/admin/subscribers/{id}', async () => {
    const one = await person('json-leaver@example.org', 'unsubscribed', { unsubscribedDaysAgo: 1 });
    const erase = links.manageUrl(one).replace('http://pledgewatch.test', '').replace('/manage?', '/erase?');
    expect((await http().post(erase).set('Accept', JSON_ACCEPT).expect(200)).body).toEqual({ status: 'erased' });
    expect(await rowsMentioning('json-leaver@example.org')).toEqual({});

    const other = await person('admin-erased@example.org', 'active');
    const editor = await insertApiKey(db.prisma, 'privacy-editor', 'editor');
    const admin = await insertApiKey(db.prisma, 'privacy-admin', 'admin');
    await http().delete(`/v1/admin/subscribers/${other.id}`).set(bearer(editor.key)).expect(403);
    expect(await db.prisma.subscriber.count({ where: { id: other.id } })).toBe(1);
    await http().delete(`/v1/admin/subscribers/${other.id}`).set(bearer(admin.key)).expect(204);
    expect(await rowsMentioning('admin-erased@example.org')).toEqual({});
    expect((await http().delete(`/v1/admin/subscribers/${other.id}`).set(bearer(admin.key)).expect(404)).body.code).toBe('not_found');
  });
});
