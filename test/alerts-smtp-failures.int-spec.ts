import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { JOB_CATALOG, JobQueues, JOBS, QUEUES } from '@pledgewatch/queue';
import { bearer, insertApiKey } from './support/admin';
import { bootWorker, dropQueueKeys, eventually, settle, testEnv, testQueuePrefix } from './support/alerts-harness';
import { bootApi } from './support/api';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories, Factories } from './support/factories';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

/**
 * What the SMTP server answers decides what happens to a delivery: 4xx retries with backoff,
 * 5xx fails at once and waits for an admin's retry. A real SMTP server on loopback answers.
 */
describe('alert sends against an SMTP server that refuses', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let worker: INestApplicationContext;
  let api: INestApplication;
  let f: Factories;
  let adminKey: string;
  let editorKey: string;
  const queuePrefix = testQueuePrefix('alerts-smtp');
  /** Per message, in order: the reply code the sink gives (null accepts). Set by each test. */
  let replies: (number | null)[] = [];
  /** Per recipient, in order: the reply codes the sink gives that address first (then it accepts). */
  const repliesTo = new Map<string, number[]>();

  // Retries in seconds, not minutes: the catalog's backoff, shortened for this file's process only.
  const backoff = JOB_CATALOG[JOBS.emailSend].options.backoff;
  beforeAll(() => {
    JOB_CATALOG[JOBS.emailSend].options.backoff = { type: 'exponential', delay: 100 };
  });
  afterAll(() => {
    JOB_CATALOG[JOBS.emailSend].options.backoff = backoff;
  });

  async function alertFor(email: string) {
    const ws = await f.workstream({ title: `Workstream for ${email}`, countries: ['PH'] });
    const subscriber = await db.prisma.subscriber.create({
      data: { email, state: 'active', confirmedAt: new Date(), subscriptions: { create: [{ workstreamId: ws.id }] } },
    });
    const event = await f.event(ws.id, { type: 'workstream.health_changed', occurredAt: new Date(), from: 'on_track', to: 'at_risk' });
    await worker.get(JobQueues).add(JOBS.eventsFanout, { payload: { eventId: event.id }, jobId: event.id });
    return eventually(() => db.prisma.delivery.findFirst({ where: { eventId: event.id, subscriberId: subscriber.id } }), 10_000, 'the delivery');
  }

  beforeAll(async () => {
    db = await createTestDatabase('pw_alerts_smtp');
    f = factories(db.prisma);
    await f.country('PH', 'Philippines');
    sink = await startSmtpSink({
      failWith: (_attempt, mail) => {
        const to = (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value[0]?.address ?? '';
        return repliesTo.get(to)?.shift() ?? replies.shift() ?? null;
      },
    });
    const env = testEnv(db.url, queuePrefix, sink.url);
    worker = await bootWorker(env);
    api = await bootApi(db.url, env);
    adminKey = (await insertApiKey(db.prisma, 'test admin', 'admin')).key;
    editorKey = (await insertApiKey(db.prisma, 'test editor', 'editor')).key;
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await sink?.close();
    await dropQueueKeys(queuePrefix);
    await db?.drop();
  });

  // 452 "insufficient storage": transient, and no throttling (421/454 are: test/mail-send-rate.int-spec.ts).
  it('452 twice, then accepted: one email, three attempts, status sent', async () => {
    replies = [452, 452];
    const attemptsBefore = sink.attempts();
    const before = sink.messages.length;
    const delivery = await alertFor('greylisted@example.org');
    await sink.waitFor(before + 1);
    const sent = await eventually(async () => {
      const row = await db.prisma.delivery.findUnique({ where: { id: delivery.id } });
      return row?.status === 'sent' ? row : null;
    });
    await settle();
    expect(sink.messages.length).toBe(before + 1);
    expect(sink.attempts() - attemptsBefore).toBe(3);
    expect(sent).toMatchObject({ status: 'sent', attempts: 3, lastError: null, messageId: `<${delivery.id}@pledgewatch.test>` });
    expect(sink.messages[before].messageId).toBe(`<${delivery.id}@pledgewatch.test>`);
  });

  it('550: failed at once, listed for admins, and a retry sends it', async () => {
    replies = [550];
    const attemptsBefore = sink.attempts();
    const before = sink.messages.length;
    const delivery = await alertFor('no-such-user@example.org');
    const failed = await eventually(async () => {
      const row = await db.prisma.delivery.findUnique({ where: { id: delivery.id } });
      return row?.status === 'failed' ? row : null;
    });
    await settle();
    expect(sink.attempts() - attemptsBefore).toBe(1);
    expect(sink.messages.length).toBe(before);
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toMatch(/550/);

    const server = api.getHttpServer();
    const list = await request(server).get('/v1/admin/deliveries?status=failed').set(bearer(adminKey)).expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: delivery.id,
        kind: 'alert',
        status: 'failed',
        attempts: 1,
        subscriber: expect.objectContaining({ email: 'no-such-user@example.org' }),
      }),
    ]);
    expect(list.body.nextCursor).toBeNull();

    // Editors keep the tracker, admins handle subscribers' mail.
    await request(server).post(`/v1/admin/deliveries/${delivery.id}/retry`).set(bearer(editorKey)).expect(403);

    // The server takes it this time.
    const retried = await request(server).post(`/v1/admin/deliveries/${delivery.id}/retry`).set(bearer(adminKey)).expect(202);
    expect(retried.body).toMatchObject({ id: delivery.id, status: 'queued', attempts: 1 });
    const [mail] = (await sink.waitFor(before + 1)).slice(before);
    expect(mail.messageId).toBe(`<${delivery.id}@pledgewatch.test>`);
    const sent = await eventually(async () => {
      const row = await db.prisma.delivery.findUnique({ where: { id: delivery.id } });
      return row?.status === 'sent' ? row : null;
    });
    expect(sent.attempts).toBe(2);

    // Sent is final: a second retry would duplicate the email.
    const again = await request(server).post(`/v1/admin/deliveries/${delivery.id}/retry`).set(bearer(adminKey)).expect(409);
    expect(again.body.code).toBe('delivery_already_sent');
    const none = await request(server).get('/v1/admin/deliveries?status=failed').set(bearer(adminKey)).expect(200);
    expect(none.body.items).toEqual([]);
  });

  it('a fan-out travels in one batch: a 452 hands that delivery to its own job, a 550 fails only its own, the rest go once', async () => {
    const ws = await f.workstream({ title: 'Coast guard vessels for the Philippines', countries: ['PH'] });
    const emails = ['batch-a@example.org', 'batch-b@example.org', 'batch-greylisted@example.org', 'batch-gone@example.org', 'batch-c@example.org'];
    for (const email of emails) {
      await db.prisma.subscriber.create({ data: { email, state: 'active', confirmedAt: new Date(), subscriptions: { create: [{ workstreamId: ws.id }] } } });
    }
    repliesTo.set('batch-greylisted@example.org', [452]);
    repliesTo.set('batch-gone@example.org', [550]);
    const before = sink.messages.length;
    const event = await f.event(ws.id, { type: 'workstream.health_changed', occurredAt: new Date(), from: 'on_track', to: 'off_track' });
    await worker.get(JobQueues).add(JOBS.eventsFanout, { payload: { eventId: event.id }, jobId: event.id });

    const rows = await eventually(async () => {
      const found = await db.prisma.delivery.findMany({ where: { eventId: event.id }, include: { subscriber: true } });
      return found.length === emails.length && found.every((row) => row.status !== 'queued') ? found : null;
    }, 15_000, 'every delivery settled');
    await settle();
    const byEmail = new Map(rows.map((row) => [row.subscriber!.email, row]));
    const received = sink.messages.slice(before).map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address);
    expect(received.sort()).toEqual(emails.filter((e) => e !== 'batch-gone@example.org').sort());

    const carrier = byEmail.get('batch-a@example.org')!.sendJobId;
    expect(carrier).toMatch(/^batch-/);
    for (const email of ['batch-a@example.org', 'batch-b@example.org', 'batch-c@example.org']) {
      expect(byEmail.get(email)).toMatchObject({ status: 'sent', attempts: 1, sendJobId: carrier });
    }
    // Handed to its own job (carrier null), retried with the catalog's backoff, sent on its second try.
    expect(byEmail.get('batch-greylisted@example.org')).toMatchObject({ status: 'sent', attempts: 2, sendJobId: null });
    expect(byEmail.get('batch-gone@example.org')).toMatchObject({ status: 'failed', attempts: 1, sendJobId: carrier, lastError: expect.stringMatching(/550/) });
    const batch = await worker.get(JobQueues).queue(QUEUES.email).getJob(carrier!);
    expect(batch?.name).toBe(JOBS.emailSendBatch);
    expect(batch?.returnvalue).toEqual({ sent: 3, failed: 1, handed_off: 1 });
  });

  it('retry of an unknown delivery is 404; a bad filter is 400', async () => {
    const server = api.getHttpServer();
    await request(server).post('/v1/admin/deliveries/8d4d3c8e-6a4b-4a5e-9a43-6c0c6a1b2c3d/retry').set(bearer(adminKey)).expect(404);
    await request(server).post('/v1/admin/deliveries/not-an-id/retry').set(bearer(adminKey)).expect(404);
    const bad = await request(server).get('/v1/admin/deliveries?status=lost').set(bearer(adminKey)).expect(400);
    expect(bad.body.code).toBe('validation_failed');
    await request(server).get('/v1/admin/deliveries').expect(401);
  });

  it('pages through deliveries and subscribers with keyset cursors', async () => {
    const server = api.getHttpServer();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(server)
        .get(`/v1/admin/deliveries?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        .set(bearer(adminKey))
        .expect(200);
      seen.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(await db.prisma.delivery.count());
    expect(new Set(seen).size).toBe(seen.length);

    const subscribers = await request(server).get('/v1/admin/subscribers?state=active&email=NO-SUCH').set(bearer(adminKey)).expect(200);
    expect(subscribers.body.items).toEqual([
      expect.objectContaining({
        email: 'no-such-user@example.org',
        state: 'active',
        alerts: true,
        topics: expect.objectContaining({ workstreams: [expect.stringMatching(/^ws-/)] }),
      }),
    ]);
    const first = await request(server).get('/v1/admin/subscribers?limit=1').set(bearer(adminKey)).expect(200);
    const second = await request(server).get(`/v1/admin/subscribers?limit=1&cursor=${first.body.nextCursor}`).set(bearer(adminKey)).expect(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    await request(server).get('/v1/admin/subscribers?cursor=bogus').set(bearer(adminKey)).expect(400);
    await request(server).get('/v1/admin/subscribers').set(bearer(editorKey)).expect(403);
  });
});
