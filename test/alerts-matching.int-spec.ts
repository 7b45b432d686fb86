import type { INestApplicationContext } from '@nestjs/common';
import type { ParsedMail } from 'mailparser';
import type { SubscriberState, Workstream } from '@pledgewatch/database';
import { EventTypeName } from '@pledgewatch/events';
import { JobQueues, JOBS, QUEUES } from '@pledgewatch/queue';
import { bootWorker, dropQueueKeys, eventually, settle, testEnv, testQueuePrefix } from './support/alerts-harness';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories, Factories, SubscriberSpec } from './support/factories';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

/**
 * Alert matching through the real worker: Postgres, Redis (BullMQ), pooled nodemailer, and an SMTP
 * server on loopback. Events are dispatched the way the outbox does it: an `events.fanout` job.
 */
describe('instant alerts: who gets an email', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let worker: INestApplicationContext;
  let f: Factories;
  const queuePrefix = testQueuePrefix('alerts-matching');

  let phMaritime: Workstream;
  let phTrade: Workstream;
  let myMaritime: Workstream;

  const subscriber = (email: string, topics: SubscriberSpec['topics'], state: SubscriberState = 'active', alerts = true) => f.subscriber({ email, topics, state, alerts });

  /** Records an event on a workstream and dispatches it; answers its id. */
  async function change(ws: Workstream, spec: { type?: EventTypeName; notify?: boolean; from?: string; to?: string } = {}) {
    const event = await f.event(ws.id, {
      type: spec.type ?? 'workstream.health_changed',
      occurredAt: new Date(),
      from: spec.from ?? 'on_track',
      to: spec.to ?? 'off_track',
      reason: 'A milestone is overdue beyond the grace period',
      notify: spec.notify ?? true,
    });
    // Marked as the outbox marks what it hands over: the fan-out clears fanoutPending when done.
    await db.prisma.event.update({ where: { id: event.id }, data: { dispatchedAt: new Date(), fanoutPending: true } });
    await worker.get(JobQueues).add(JOBS.eventsFanout, { payload: { eventId: event.id }, jobId: event.id });
    return event.id;
  }

  /** Waits for `count` more emails than `before`, gives stragglers a moment, answers exactly the new ones. */
  async function newMail(before: number, count: number): Promise<ParsedMail[]> {
    if (count > 0) await sink.waitFor(before + count);
    await settle();
    return sink.messages.slice(before);
  }

  const recipients = (mails: ParsedMail[]) =>
    mails.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address ?? '?').sort();

  beforeAll(async () => {
    db = await createTestDatabase('pw_alerts_matching');
    sink = await startSmtpSink();
    f = factories(db.prisma);
    await f.country('PH', 'Philippines');
    await f.country('MY', 'Malaysia');
    await f.sector('maritime-security', 'Maritime security');
    await f.sector('trade-investment', 'Trade and investment');
    phMaritime = await f.workstream({ title: 'Coastal radar for the Philippine Coast Guard', countries: ['PH'], sectors: ['maritime-security'] });
    phTrade = await f.workstream({ title: 'Philippine investment facilitation', countries: ['PH'], sectors: ['trade-investment'] });
    myMaritime = await f.workstream({ title: 'OSA surveillance equipment', countries: ['MY'], sectors: ['maritime-security'] });

    await subscriber('intersection@example.org', [{ countryCode: 'PH', sectorSlug: 'maritime-security' }]);
    await subscriber('country@example.org', [{ countryCode: 'PH' }]);
    await subscriber('sector@example.org', [{ sectorSlug: 'maritime-security' }]);
    await subscriber('workstream@example.org', [{ workstreamId: myMaritime.id }]);
    await subscriber('three-topics@example.org', [{ countryCode: 'PH' }, { sectorSlug: 'maritime-security' }, { workstreamId: phMaritime.id }]);
    await subscriber('left@example.org', [{ countryCode: 'PH' }], 'unsubscribed');
    await subscriber('alerts-off@example.org', [{ countryCode: 'PH' }], 'active', false);
    await subscriber('unconfirmed@example.org', [{ countryCode: 'PH' }], 'pending');

    worker = await bootWorker(testEnv(db.url, queuePrefix, sink.url));
  });

  afterAll(async () => {
    await worker?.close();
    await sink?.close();
    await dropQueueKeys(queuePrefix);
    await db?.drop();
  });

  it('a Philippines maritime event reaches the intersection, the country, the sector and the workstream followers — once each', async () => {
    const before = sink.messages.length;
    const eventId = await change(phMaritime);
    const mails = await newMail(before, 4);
    expect(recipients(mails)).toEqual(['country@example.org', 'intersection@example.org', 'sector@example.org', 'three-topics@example.org']);
    expect(await db.prisma.delivery.count({ where: { eventId } })).toBe(4);
    expect(await db.prisma.delivery.count({ where: { eventId, status: 'sent', attempts: 1 } })).toBe(4);
    for (const mail of mails) expect(mail.subject).toBe(
      '[Philippines] Coastal radar for the Philippine Coast Guard: Health changed from on track to off track: A milestone is overdue beyond the grace period',
    );
    await eventually(async () => !(await db.prisma.event.findUniqueOrThrow({ where: { id: eventId } })).fanoutPending, 10_000, 'the fan-out marked finished');
  });

  it('a Philippines trade event does not reach the Philippines × maritime subscriber', async () => {
    const before = sink.messages.length;
    await change(phTrade);
    expect(recipients(await newMail(before, 2))).toEqual(['country@example.org', 'three-topics@example.org']);
  });

  it('a Malaysian maritime event does not reach the Philippines × maritime subscriber', async () => {
    const before = sink.messages.length;
    await change(myMaritime, { type: 'workstream.stage_changed', from: 'implementation', to: 'suspended' });
    const mails = await newMail(before, 3);
    expect(recipients(mails)).toEqual(['sector@example.org', 'three-topics@example.org', 'workstream@example.org']);
    expect(mails[0].subject).toBe('[Malaysia] OSA surveillance equipment: Stage changed from implementation to suspended');
  });

  /** The event's own fan-out job (job id = event id), once finished: what it decided. */
  async function fanoutResult(eventId: string): Promise<unknown> {
    const job = await eventually(async () => {
      const found = await worker.get(JobQueues).queue(QUEUES.events).getJob(eventId);
      return found?.finishedOn ? found : null;
    }, 15_000, `the events.fanout job of ${eventId}`);
    return job.returnvalue;
  }

  it('a quiet correction (notify: false) emails nobody and creates no delivery', async () => {
    const before = sink.attempts();
    const eventId = await change(phMaritime, { notify: false });
    // Quiet corrections notify no webhook endpoint either.
    expect(await fanoutResult(eventId)).toEqual({ status: 'not_notified', reason: 'notify_false', webhooks: { status: 'not_notified', reason: 'notify_false' } });
    expect(await db.prisma.delivery.count({ where: { eventId } })).toBe(0);
    // Nothing to do is done: the relay will not fan it out again.
    expect((await db.prisma.event.findUniqueOrThrow({ where: { id: eventId } })).fanoutPending).toBe(false);
    expect(sink.attempts()).toBe(before);
  });

  it('events that belong to digests only (milestone.added) email nobody', async () => {
    const before = sink.attempts();
    const eventId = await change(phMaritime, { type: 'milestone.added', from: '', to: '' });
    // Webhooks carry every type (no endpoint follows this one here).
    expect(await fanoutResult(eventId)).toEqual({ status: 'not_notified', reason: 'digest_only_type', webhooks: { status: 'fanned_out', created: 0, enqueued: 0 } });
    expect(await db.prisma.delivery.count({ where: { eventId } })).toBe(0);
    expect(sink.attempts()).toBe(before);
  });

  it('a subscriber who left or turned alerts off meanwhile is skipped, not failed', async () => {
    const leaving = await subscriber('leaving@example.org', [{ countryCode: 'MY' }]);
    // Stop the worker's email consumer so the delivery is created but not yet sent.
    const emailWorkerPaused = await pauseEmailQueue();
    const before = sink.messages.length;
    const eventId = await change(myMaritime);
    const delivery = await eventually(
      () => db.prisma.delivery.findFirst({ where: { eventId, subscriberId: leaving.id } }),
      10_000,
      'the delivery of the leaving subscriber',
    );
    await db.prisma.subscriber.update({ where: { id: leaving.id }, data: { state: 'unsubscribed', unsubscribedAt: new Date() } });
    await emailWorkerPaused.resume();
    const mails = await newMail(before, 3);
    expect(recipients(mails)).toEqual(['sector@example.org', 'three-topics@example.org', 'workstream@example.org']);
    const after = await eventually(async () => {
      const row = await db.prisma.delivery.findUnique({ where: { id: delivery.id } });
      return row?.status === 'suppressed' ? row : null;
    });
    expect(after).toMatchObject({ status: 'suppressed', lastError: 'subscriber left', attempts: 0 });
  });

  it('a workstream title with markup arrives inert in the HTML part', async () => {
    const evil = await f.workstream({ title: '<script>alert("pwned")</script> & <b>bold</b>', countries: ['MY'], sectors: [] });
    await subscriber('escaping@example.org', [{ workstreamId: evil.id }]);
    const before = sink.messages.length;
    await change(evil);
    const [mail] = await newMail(before, 1);
    const html = String(mail.html);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    // Plain text is not HTML: the title reads as typed, with no entities.
    expect(mail.text).toContain('<script>alert("pwned")</script> & <b>bold</b>');
    expect(mail.subject).toBe(
      '[Malaysia] <script>alert("pwned")</script> & <b>bold</b>: Health changed from on track to off track: A milestone is overdue beyond the grace period',
    );
  });

  it('fanning out the same event again sends nothing twice', async () => {
    const before = sink.messages.length;
    const eventId = await change(phTrade);
    await newMail(before, 2);
    // A second fan-out job for the same event (the first job was removed, as after retention):
    await worker.get(JobQueues).add(JOBS.eventsFanout, { payload: { eventId }, jobId: `${eventId}-again` });
    expect(await newMail(before + 2, 0)).toEqual([]);
    expect(await db.prisma.delivery.count({ where: { eventId } })).toBe(2);
  });

  /** Pauses this test's email queue (globally, for this prefix); answers a handle to resume it. */
  async function pauseEmailQueue() {
    const queue = worker.get(JobQueues).queue('email');
    await queue.pause();
    return { resume: () => queue.resume() };
  }
});
