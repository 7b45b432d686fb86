import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppConfig } from '@pledgewatch/config';
import { linkExpiryDay, signLinkToken } from '@pledgewatch/subscriber-links';
import request from 'supertest';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { JobQueues, QUEUES } from '@pledgewatch/queue';
import type { ParsedMail } from 'mailparser';
import { SUBSCRIBE_ACCEPTED } from '../apps/api/src/subscriptions/subscriptions.controller';

import { bootWorker, settle, testEnv } from './support/alerts-harness';
import { bearer, insertApiKey } from './support/admin';
import { bootApi } from './support/api';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { ResponseContract } from './support/contract';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';
import { rawHeader, SmtpSink, startSmtpSink } from './support/smtp-sink';

const BASE = 'http://pledgewatch.test';
const JSON_ACCEPT = 'application/json';

/** The path and query of a link in an email, for supertest. */
function linkIn(mail: ParsedMail, page: 'confirm' | 'manage' | 'unsubscribe'): string {
  const match = new RegExp(`${BASE}(/v1/subscriptions/${page}\\?token=[A-Za-z0-9_.%-]+)`).exec(mail.text ?? '');
  if (!match) throw new Error(`no ${page} link in:\n${mail.text}`);
  return match[1];
}

describe('Subscriptions: double opt-in, email links, pages', () => {
  let contract: ResponseContract;
  let db: TestDatabase;
  let sink: SmtpSink;
  let app: INestApplication;
  let worker: INestApplicationContext;
  let env: Record<string, string>;
  let workstreamSlug: string;
  /** The sink refuses the next message with this SMTP code, once. */
  let refuseNext: number | null = null;
  let ipCounter = 0;

  const http = () => request(app.getHttpServer());
  /** A client address of its own per request, so only the tests about the per-IP limit meet it. */
  const subscribe = (body: object, ip = `192.0.2.${++ipCounter}`) =>
    http().post('/v1/subscriptions').set('X-Forwarded-For', ip).send(body);
  const mailsTo = (address: string) => sink.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === address);
  async function waitForMailTo(address: string, count: number): Promise<ParsedMail[]> {
    for (let i = 0; i < 600 && mailsTo(address).length < count; i++) await new Promise((r) => setTimeout(r, 25));
    const mails = mailsTo(address);
    if (mails.length < count) throw new Error(`expected ${count} email(s) to ${address}, got ${mails.length}`);
    return mails;
  }
  /** The delivery row once the mailer has recorded its outcome (the sink sees the message a moment before). */
  async function settledDelivery(subscriberId: string) {
    for (let i = 0; ; i++) {
      const delivery = await db.prisma.delivery.findFirstOrThrow({ where: { subscriberId } });
      if (delivery.status !== 'queued' || i >= 400) return delivery;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const subscriber = (email: string) =>
    db.prisma.subscriber.findUnique({ where: { email }, include: { subscriptions: { orderBy: [{ countryCode: 'asc' }, { sectorSlug: 'asc' }] } } });
  const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}@example.org`;

  beforeAll(async () => {
    db = await createTestDatabase();
    sink = await startSmtpSink({
      failWith: () => {
        const code = refuseNext;
        refuseNext = null;
        return code;
      },
    });
    // The API records and enqueues; the worker decides and sends (the API holds no SMTP transport).
    env = testEnv(db.url, testQueuePrefix('subs'), sink.url, { PUBLIC_BASE_URL: BASE, MAIL_FROM: 'Pledgewatch <alerts@pledgewatch.test>' });
    app = await bootApi(db.url, env);
    worker = await bootWorker(env);
    contract = ResponseContract.attach(app);
    const f = factories(db.prisma);
    await f.country('MY', 'Malaysia');
    await f.country('PH', 'Philippines');
    await f.country('VN', 'Viet Nam');
    await f.sector('maritime-security', 'Maritime security');
    await f.sector('space', 'Space');
    await f.sector('trade-investment', 'Trade & investment');
    workstreamSlug = (await f.workstream({ title: 'Radars <b>for</b> the coast guard', countries: ['PH'], sectors: ['maritime-security'] })).slug;
  });

  afterAll(async () => {
    await app?.close();
    await worker?.close();
    await sink?.close();
    await dropQueueKeys(env.QUEUE_PREFIX);
    await db?.drop();
  });

  it('sends a new address exactly one confirmation email, whose link works once', async () => {
    const email = unique('new');
    const res = await subscribe({
      email: `  ${email.toUpperCase()} `,
      countries: ['MY'],
      intersections: [{ country: 'PH', sector: 'maritime-security' }],
      workstreams: [workstreamSlug],
      timezone: 'Asia/Tokyo',
      digestDay: 'friday',
      digestHour: 7,
    }).expect(202);
    expect(res.body).toEqual(SUBSCRIBE_ACCEPTED);

    const [mail] = await waitForMailTo(email, 1);
    const pending = await subscriber(email);
    expect(pending).toMatchObject({ state: 'pending', timezone: 'Asia/Tokyo', digestDay: 'friday', digestHour: 7, confirmedAt: null });
    expect(pending!.subscriptions.map((s) => [s.countryCode, s.sectorSlug, s.workstreamId !== null])).toEqual([
      ['MY', null, false],
      ['PH', 'maritime-security', false],
      [null, null, true],
    ]);

    const delivery = await settledDelivery(pending!.id);
    expect(delivery).toMatchObject({ kind: 'confirmation', status: 'sent', attempts: 1, messageId: `<${delivery.id}@pledgewatch.test>` });
    expect(mail.messageId).toBe(`<${delivery.id}@pledgewatch.test>`);
    expect(mail.subject).toBe('Confirm your Pledgewatch subscription');
    expect(mail.text).toContain('- Country: Malaysia');
    expect(mail.text).toContain('- Philippines × Maritime security');
    expect(mail.html).toContain('Workstream: Radars &lt;b&gt;for&lt;/b&gt; the coast guard');
    expect(rawHeader(mail, 'List-Unsubscribe')).toMatch(new RegExp(`^<${BASE}/v1/subscriptions/unsubscribe\\?token=[^>]+>$`));
    expect(rawHeader(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

    const confirm = linkIn(mail, 'confirm');
    const token = new URL(confirm, BASE).searchParams.get('token')!;
    const stored = await db.prisma.subscriberToken.findFirstOrThrow({ where: { subscriberId: pending!.id } });
    expect(stored.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(stored.expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);

    // Opening the link (a person, a mail scanner, a link preview) changes nothing: GET and HEAD show
    // what the button would do; only its POST confirms.
    const shown = await http().get(confirm).set('Accept', JSON_ACCEPT).expect(200);
    expect(shown.body).toMatchObject({ status: 'awaiting_post', action: 'confirm', subscription: { email, state: 'pending' } });
    const shownPage = await http().get(confirm).set('Accept', 'text/html').expect(200);
    expect(shownPage.text).toContain('<form method="post" action="confirm?token&#x3D;');
    expect(shownPage.text).toContain('Confirm my subscription');
    await http().head(confirm).expect(200);
    await http().get(confirm).set('Accept', '*/*').expect(200);
    expect(await subscriber(email)).toMatchObject({ state: 'pending', confirmedAt: null });
    expect(await db.prisma.subscriberToken.findUniqueOrThrow({ where: { id: stored.id } })).toMatchObject({ usedAt: null });

    const confirmed = await http().post(confirm).set('Accept', JSON_ACCEPT).expect(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', subscription: { email, state: 'active', countries: ['MY'], workstreams: [workstreamSlug] } });
    expect(await subscriber(email)).toMatchObject({ state: 'active', confirmedAt: expect.any(Date) });

    const again = await http().get(confirm).set('Accept', JSON_ACCEPT).expect(410);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body.code).toBe('token_used');
    expect((await http().post(confirm).set('Accept', JSON_ACCEPT).expect(410)).body.code).toBe('token_used');
    const page = await http().get(confirm).set('Accept', 'text/html').expect(410);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('This link has already been used');

    await settle();
    expect(mailsTo(email)).toHaveLength(1);
  });

  it('answers every address alike; an active address changes only by following the emailed link', async () => {
    const email = unique('known');
    const first = await subscribe({ email, countries: ['MY'] }).expect(202);
    const [firstMail] = await waitForMailTo(email, 1);

    // Pending again: the request replaces the topics; the newer email's link is the one that works.
    const second = await subscribe({ email, sectors: ['space'], alerts: false }).expect(202);
    const [, secondMail] = await waitForMailTo(email, 2);
    expect((await subscriber(email))!.subscriptions.map((s) => s.sectorSlug)).toEqual(['space']);
    expect((await http().post(linkIn(firstMail, 'confirm')).set('Accept', JSON_ACCEPT).expect(400)).body.code).toBe('token_invalid');
    await http().post(linkIn(secondMail, 'confirm')).set('Accept', JSON_ACCEPT).expect(200);
    expect(await subscriber(email)).toMatchObject({ state: 'active', alerts: false });

    // Active: nothing changes until the owner of the inbox agrees.
    const third = await subscribe({ email, countries: ['VN'], intersections: [{ country: 'PH', sector: 'trade-investment' }], digestHour: 18 }).expect(202);
    expect(first.body).toEqual(SUBSCRIBE_ACCEPTED);
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    expect(third.headers['content-length']).toBe(first.headers['content-length']);

    const [, , changeMail] = await waitForMailTo(email, 3);
    expect(changeMail.subject).toBe('Confirm the changes to your Pledgewatch subscription');
    expect(changeMail.text).toContain('- Country: Viet Nam');
    expect(changeMail.text).toContain('- Philippines × Trade & investment');
    const before = await subscriber(email);
    expect(before).toMatchObject({ state: 'active', alerts: false, digestHour: 8 });
    expect(before!.subscriptions.map((s) => s.sectorSlug)).toEqual(['space']);

    // A scanner opening the "confirm the changes" link applies nothing (it would switch mail off unasked).
    const changeLink = linkIn(changeMail, 'confirm');
    expect((await http().get(changeLink).set('Accept', JSON_ACCEPT).expect(200)).body).toMatchObject({ status: 'awaiting_post', action: 'apply_change' });
    const changePage = await http().get(changeLink).expect(200);
    expect(changePage.text).toContain('Country: Viet Nam');
    expect(changePage.text).toContain('Apply the changes');
    await http().head(changeLink).expect(200);
    expect((await subscriber(email))!.subscriptions.map((s) => s.sectorSlug)).toEqual(['space']);

    const applied = await http().post(changeLink).type('form').send('').set('Accept', JSON_ACCEPT).expect(200);
    expect(applied.body).toMatchObject({
      status: 'changes_applied',
      subscription: { countries: ['VN'], sectors: [], intersections: [{ country: 'PH', sector: 'trade-investment' }], digestHour: 18, alerts: true },
    });
    const after = await subscriber(email);
    expect(after!.subscriptions.map((s) => [s.countryCode, s.sectorSlug])).toEqual([
      ['PH', 'trade-investment'],
      ['VN', null],
    ]);
    expect(after).toMatchObject({ state: 'active', digestHour: 18 });
  });

  it('forgets a subscriber\'s tokens 30 days after they expire, when the next one is issued', async () => {
    const email = unique('tokens');
    await subscribe({ email, countries: ['MY'] }).expect(202);
    const [mail] = await waitForMailTo(email, 1);
    await http().post(linkIn(mail, 'confirm')).set('Accept', JSON_ACCEPT).expect(200);
    const { id } = (await subscriber(email))!;
    const [used] = await db.prisma.subscriberToken.findMany({ where: { subscriberId: id } });
    const day = 24 * 3600 * 1000;
    // Another address's old token is not this request's business.
    const stranger = await db.prisma.subscriber.create({ data: { email: unique('stranger') } });
    await db.prisma.subscriberToken.create({
      data: { subscriberId: stranger.id, purpose: 'confirm', tokenHash: 'f'.repeat(64), expiresAt: new Date(Date.now() - 60 * day) },
    });

    await db.prisma.subscriberToken.update({ where: { id: used.id }, data: { expiresAt: new Date(Date.now() - 29 * day) } });
    await subscribe({ email, countries: ['VN'] }).expect(202);
    await waitForMailTo(email, 2);
    expect(await db.prisma.subscriberToken.count({ where: { subscriberId: id } })).toBe(2); // kept: still answers "already used"
    expect((await http().post(linkIn(mail, 'confirm')).set('Accept', JSON_ACCEPT).expect(410)).body.code).toBe('token_used');

    await db.prisma.subscriberToken.update({ where: { id: used.id }, data: { expiresAt: new Date(Date.now() - 31 * day) } });
    await subscribe({ email, countries: ['PH'] }).expect(202);
    await waitForMailTo(email, 3);
    const left = await db.prisma.subscriberToken.findMany({ where: { subscriberId: id } });
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ purpose: 'apply_change', usedAt: null });
    expect(await db.prisma.subscriberToken.count({ where: { subscriberId: stranger.id } })).toBe(1);
  });

  it('refuses header injection with 400: nothing stored, nothing sent', async () => {
    const sent = sink.attempts();
    const res = await subscribe({ email: 'a@b.c\r\nBcc: x@y.z', countries: ['MY'] }).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    // The input boundary refuses the line break before the address rules see it.
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'email', code: 'control_character' }] });
    await subscribe({ email: 'reader@example.org\nBcc: x@y.z', countries: ['MY'] }).expect(400);
    await settle();
    expect(await db.prisma.subscriber.count({ where: { email: { contains: 'x@y.z' } } })).toBe(0);
    expect(await db.prisma.subscriber.count({ where: { email: { in: ['a@b.c', 'reader@example.org'] } } })).toBe(0);
    expect(sink.attempts()).toBe(sent);
  });

  it('answers 422 for unknown topics, a bad time zone or no topic at all', async () => {
    const email = unique('invalid');
    const cases: [object, string][] = [
      [{ countries: ['XX'] }, 'unknown_country'],
      [{ intersections: [{ country: 'PH', sector: 'nope' }] }, 'unknown_sector'],
      [{ workstreams: ['no-such-workstream'] }, 'unknown_workstream'],
      [{ countries: ['MY'], timezone: 'Mars/Olympus' }, 'invalid_timezone'],
      [{}, 'no_topics'],
    ];
    for (const [body, code] of cases) {
      const res = await subscribe({ email, ...body }).expect(422);
      expect(res.body.code).toBe(code);
    }
    expect((await subscribe({ email, countries: ['MY'], digestHour: 25 }).expect(400)).body.code).toBe('validation_failed');
    expect((await subscribe({ email, countries: ['MY'], digestDay: 'someday' }).expect(400)).body.code).toBe('validation_failed');
    expect(await subscriber(email)).toBeNull();
  });

  it('rate-limits per address and per client with 429 and Retry-After', async () => {
    const email = unique('limited');
    for (let i = 0; i < 3; i++) await subscribe({ email, countries: ['MY'] }).expect(202);
    const limited = await subscribe({ email, countries: ['MY'] }).expect(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3500);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(3600);

    const ip = '198.51.100.7';
    for (let i = 0; i < 5; i++) await subscribe({ email: 'not an address' }, ip).expect(400);
    const tooMany = await subscribe({ email: unique('other'), countries: ['MY'] }, ip).expect(429);
    expect(Number(tooMany.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(tooMany.headers['retry-after'])).toBeLessThanOrEqual(60);
    await subscribe({ email: unique('other'), countries: ['MY'] }, '198.51.100.8').expect(202);
  });

  it('unsubscribes with an RFC 8058 one-click POST, never on GET', async () => {
    const email = unique('leaver');
    await subscribe({ email, countries: ['MY'] }).expect(202);
    const [mail] = await waitForMailTo(email, 1);
    await http().post(linkIn(mail, 'confirm')).type('form').send('').expect(200);
    const oneClick = new URL(rawHeader(mail, 'List-Unsubscribe')!.slice(1, -1));
    const path = `${oneClick.pathname}${oneClick.search}`;
    expect(linkIn(mail, 'unsubscribe')).toBe(path);

    const page = await http().get(path).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toMatch(/<html lang="en">/);
    expect(page.text).toContain(`<form method="post" action="unsubscribe?token&#x3D;`);
    const json = await http().get(path).set('Accept', JSON_ACCEPT).expect(200);
    expect(json.body.subscription).toMatchObject({ email, state: 'active' });
    expect(await subscriber(email)).toMatchObject({ state: 'active', unsubscribedAt: null });

    const res = await http().post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);
    expect(res.text).toContain('You are unsubscribed');
    expect(await subscriber(email)).toMatchObject({ state: 'unsubscribed', unsubscribedAt: expect.any(Date) });
    const twice = await http().post(path).type('form').send('List-Unsubscribe=One-Click').set('Accept', JSON_ACCEPT).expect(200);
    expect(twice.body).toMatchObject({ status: 'unsubscribed', subscription: { state: 'unsubscribed' } });

    // A forged or damaged token: 400 (page for a person, problem+json for a client).
    // (A character of the signature changed: the claimed subscriber exists, the signature is not ours.)
    const forged = path.replace(/(token=[^.]+\.\d+\.)(.)/, (_, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`);
    expect((await http().post(forged).set('Accept', JSON_ACCEPT).expect(400)).body.code).toBe('token_invalid');
    expect((await http().get(forged).expect(400)).text).toContain('This link is not valid');
    // The manage token is not an unsubscribe token.
    const manageToken = linkIn(mail, 'manage').split('token=')[1];
    await http().post(`/v1/subscriptions/unsubscribe?token=${manageToken}`).set('Accept', JSON_ACCEPT).expect(400);

    // Subscribing again is like subscribing anew: pending, a fresh confirmation.
    await subscribe({ email, countries: ['PH'] }).expect(202);
    await waitForMailTo(email, 2);
    expect(await subscriber(email)).toMatchObject({ state: 'pending', unsubscribedAt: null });
  });

  it('manages preferences as JSON and through the form, and leaves', async () => {
    const email = unique('manager');
    await subscribe({ email, countries: ['MY'] }).expect(202);
    const [mail] = await waitForMailTo(email, 1);
    await http().post(linkIn(mail, 'confirm')).type('form').send('').expect(200);
    const manage = linkIn(mail, 'manage');

    const view = await http().get(manage).set('Accept', JSON_ACCEPT).expect(200);
    expect(view.body.subscription).toEqual({
      email,
      state: 'active',
      countries: ['MY'],
      sectors: [],
      intersections: [],
      workstreams: [],
      alerts: true,
      digest: true,
      skipEmptyDigest: false,
      timezone: 'UTC',
      digestDay: 'monday',
      digestHour: 8,
    });
    const html = await http().get(manage).expect(200);
    expect(html.text).toContain('<input type="checkbox" name="countries" value="MY" checked>Malaysia');
    expect(html.text).toContain('<label for="digestHour">Hour</label>');

    // JSON is partial: only what is given changes.
    const saved = await http().post(manage).set('Accept', JSON_ACCEPT).send({ digestHour: 6, sectors: ['space'] }).expect(200);
    expect(saved.body).toMatchObject({ status: 'saved', subscription: { countries: ['MY'], sectors: ['space'], digestHour: 6 } });
    const bad = await http().post(manage).set('Accept', JSON_ACCEPT).send({ countries: ['ZZ'] }).expect(422);
    expect(bad.body.code).toBe('unknown_country');

    // The form is the whole state: an unticked box is off.
    const form = await http()
      .post(manage)
      .type('form')
      .send('action=save&countries=PH&newIntersectionCountry=VN&newIntersectionSector=space&digest=on&timezone=Europe%2FParis&digestDay=sunday&digestHour=21')
      .expect(200);
    expect(form.text).toContain('Your preferences are saved.');
    const after = await subscriber(email);
    expect(after).toMatchObject({ alerts: false, digest: true, timezone: 'Europe/Paris', digestDay: 'sunday', digestHour: 21 });
    expect(after!.subscriptions.map((s) => [s.countryCode, s.sectorSlug])).toEqual([
      ['PH', null],
      ['VN', 'space'],
    ]);

    // A form with nothing followed comes back with the reason, and nothing changes.
    const empty = await http().post(manage).type('form').send('action=save&alerts=on&timezone=UTC&digestDay=monday&digestHour=8').expect(422);
    expect(empty.text).toContain('Nothing was saved');
    expect((await subscriber(email))!.subscriptions).toHaveLength(2);

    // Leave. The manage link then changes preferences but never brings the address back: a
    // forwarded or old email must not re-subscribe anyone; coming back is a fresh double opt-in.
    const left = await http().post(manage).type('form').send('action=leave').expect(200);
    expect(left.text).toContain('You are unsubscribed');
    const unsubscribedAt = (await subscriber(email))!.unsubscribedAt;
    expect(unsubscribedAt).toEqual(expect.any(Date));
    for (const body of [{}, { digestHour: 9 }, { alerts: true, countries: ['MY'] }]) {
      const res = await http().post(manage).set('Accept', JSON_ACCEPT).send(body).expect(200);
      expect(res.body.subscription.state).toBe('unsubscribed');
    }
    await http().post(manage).type('form').send('action=save&countries=VN&alerts=on&timezone=UTC&digestDay=monday&digestHour=8').expect(200);
    expect(await subscriber(email)).toMatchObject({ state: 'unsubscribed', unsubscribedAt, alerts: true });
    expect((await http().get(manage).expect(200)).text).toContain('subscribe again on the home page');
  });

  it('manage and unsubscribe links expire after LINK_TTL_DAYS and are revoked per subscriber', async () => {
    const email = unique('revoked');
    await subscribe({ email, countries: ['MY'] }).expect(202);
    const [mail] = await waitForMailTo(email, 1);
    await http().post(linkIn(mail, 'confirm')).set('Accept', JSON_ACCEPT).expect(200);
    const manage = linkIn(mail, 'manage');
    const unsubscribe = linkIn(mail, 'unsubscribe');
    const { id } = (await subscriber(email))!;
    await http().get(manage).set('Accept', JSON_ACCEPT).expect(200);

    // A link whose expiry day has come (signed as the service would have, 91 days ago): 410.
    const secret = app.get(AppConfig).linkSecret;
    const old = signLinkToken(secret, 'manage', { subscriberId: id, expiryDay: linkExpiryDay(90, Date.now() - 91 * 86_400_000) }, 0);
    expect((await http().get(`/v1/subscriptions/manage?token=${old}`).set('Accept', JSON_ACCEPT).expect(410)).body.code).toBe('token_expired');
    expect(manage.split('token=')[1].split('.')[1]).toBe(String(linkExpiryDay(90)));

    // Revoked by an admin: every link sent so far stops working, the next email's work.
    const admin = await insertApiKey(db.prisma, 'privacy-admin', 'admin');
    await http().post(`/v1/admin/subscribers/${id}/revoke-links`).set(bearer(admin.key)).expect(204);
    expect((await http().get(manage).set('Accept', JSON_ACCEPT).expect(400)).body.code).toBe('token_invalid');
    expect((await http().post(unsubscribe).set('Accept', JSON_ACCEPT).expect(400)).body.code).toBe('token_invalid');
    expect(await subscriber(email)).toMatchObject({ state: 'active', linkEpoch: 1 });
    await http().post(`/v1/admin/subscribers/${randomUUID()}/revoke-links`).set(bearer(admin.key)).expect(404);
    await http().post('/v1/admin/subscribers/not-an-id/revoke-links').set(bearer(admin.key)).expect(404);

    await subscribe({ email, countries: ['VN'] }).expect(202);
    const [, next] = await waitForMailTo(email, 2);
    const fresh = await http().get(linkIn(next, 'manage')).set('Accept', JSON_ACCEPT).expect(200);
    expect(fresh.body.subscription).toMatchObject({ email, state: 'active' });
  });

  it('answers before the branch on the address\'s state: both requests leave the same queued work, decided in the worker', async () => {
    // An API with no worker on its queue: what the request itself did is all there is to see.
    const prefix = testQueuePrefix('subs-branch');
    const alone = await bootApi(db.url, { ...env, QUEUE_PREFIX: prefix });
    let branchWorker: INestApplicationContext | undefined;
    try {
      const known = unique('active');
      await db.prisma.subscriber.create({
        data: { email: known, state: 'active', confirmedAt: new Date(), subscriptions: { create: [{ countryCode: 'MY' }] } },
      });
      const stranger = unique('unknown');
      const post = (email: string) => request(alone.getHttpServer()).post('/v1/subscriptions').set('X-Forwarded-For', `192.0.2.${++ipCounter}`).send({ email, countries: ['VN'] });
      const [a, b] = [await post(known).expect(202), await post(stranger).expect(202)];
      expect(a.body).toEqual(b.body);

      const deliveries = await db.prisma.delivery.findMany({ where: { subscriber: { email: { in: [known, stranger] } } }, include: { subscriber: true } });
      expect(deliveries).toHaveLength(2);
      const request_ = { template: 'request', request: { preferences: expect.any(Object), topics: [{ countryCode: 'VN', sectorSlug: null, workstreamId: null }] } };
      for (const d of deliveries) expect(d).toMatchObject({ kind: 'confirmation', status: 'queued', attempts: 0, payload: request_ });
      // Nothing of the branch has run: the active subscriber is as it was, the new one is a bare row, no token exists.
      expect(await subscriber(known)).toMatchObject({ state: 'active', subscriptions: [expect.objectContaining({ countryCode: 'MY' })] });
      expect(await subscriber(stranger)).toMatchObject({ state: 'pending', subscriptions: [] });
      expect(await db.prisma.subscriberToken.count({ where: { subscriberId: { in: deliveries.map((d) => d.subscriberId!) } } })).toBe(0);
      const queue = alone.get(JobQueues).queue(QUEUES.email);
      // Waiting, at a confirmation's priority (EMAIL_PRIORITY): BullMQ's state for that is `prioritized`.
      expect(new Set(await Promise.all(deliveries.map((d) => queue.getJobState(d.id))))).toEqual(new Set(['prioritized']));

      // The worker takes the branch: a confirmation for the stranger, an apply-change for the active address.
      branchWorker = await bootWorker({ ...env, QUEUE_PREFIX: prefix });
      const [toStranger] = await waitForMailTo(stranger, 1);
      const [toKnown] = await waitForMailTo(known, 1);
      expect(toStranger.subject).toBe('Confirm your Pledgewatch subscription');
      expect(toKnown.subject).toBe('Confirm the changes to your Pledgewatch subscription');
      expect((await subscriber(stranger))!.subscriptions.map((s) => s.countryCode)).toEqual(['VN']);
      expect((await subscriber(known))!.subscriptions.map((s) => s.countryCode)).toEqual(['MY']);
    } finally {
      await alone.close();
      await branchWorker?.close();
      await dropQueueKeys(prefix);
    }
  });

  it('records SMTP failures on the delivery: 5xx fails it, 4xx leaves it queued for another attempt', async () => {
    const permanent = unique('bounce');
    refuseNext = 550;
    await subscribe({ email: permanent, countries: ['MY'] }).expect(202);
    for (let i = 0; i < 100; i++) {
      const d = await db.prisma.delivery.findFirst({ where: { subscriber: { email: permanent } } });
      if (d?.attempts) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await db.prisma.delivery.findFirst({ where: { subscriber: { email: permanent } } })).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('550'),
    });

    const transient = unique('busy');
    refuseNext = 452; // transient; a 421 or 454 is a throttling answer, which uses no attempt (test/mail-send-rate.int-spec.ts)
    await subscribe({ email: transient, countries: ['MY'] }).expect(202);
    for (let i = 0; i < 100; i++) {
      const d = await db.prisma.delivery.findFirst({ where: { subscriber: { email: transient } } });
      if (d?.attempts) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await db.prisma.delivery.findFirst({ where: { subscriber: { email: transient } } })).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastError: expect.stringContaining('452'),
    });
  });

  it('answers 503, not 500, when Redis is down', async () => {
    const dead = await bootApi(db.url, { SMTP_URL: sink.url, REDIS_URL: 'redis://127.0.0.1:1', QUEUE_PREFIX: 'pwtest-dead' }).catch((e: Error) => e);
    if (dead instanceof Error) throw dead;
    try {
      const res = await request(dead.getHttpServer()).post('/v1/subscriptions').send({ email: unique('redisless'), countries: ['MY'] }).expect(503);
      expect(res.body.code).toBe('dependency_unavailable');
    } finally {
      await dead.close();
    }
  });

  it('answered every JSON request above as its OpenAPI schema says', () => {
    expect(contract.violations).toEqual([]);
    expect(contract.count).toBeGreaterThan(10);
  });
});
