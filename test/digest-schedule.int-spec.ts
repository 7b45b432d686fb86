import type { INestApplicationContext } from '@nestjs/common';
import { JobQueues, QUEUES } from '@pledgewatch/queue';
import { DigestSchedule } from '../apps/worker/src/digest/digest.schedule';
import { bootWorker, dropQueueKeys, settle, testEnv, testQueuePrefix } from './support/alerts-harness';
import { createTestDatabase, TestDatabase } from './support/database';
import { digestSubscriber, mailsTo, runDigestSlot } from './support/digest-harness';
import { factories } from './support/factories';
import { rawHeader, SmtpSink, startSmtpSink } from './support/smtp-sink';

const HOUR = 3_600_000;

/**
 * When weekly digests go out, through the real worker (BullMQ `digest.run` → `email.send` →
 * pooled nodemailer → an SMTP server on loopback), with the clock in the test's hands: each run
 * is given its hourly slot, as the cron would.
 */
describe('weekly digest: when it is sent', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let worker: INestApplicationContext;
  const queuePrefix = testQueuePrefix('digest-schedule');

  const digestsOf = (subscriberId: string) =>
    db.prisma.delivery.findMany({ where: { subscriberId, kind: 'digest' }, orderBy: { digestWeek: 'asc' } });

  beforeAll(async () => {
    db = await createTestDatabase('pw_digest_schedule');
    sink = await startSmtpSink();
    const f = factories(db.prisma);
    await f.country('PH', 'Philippines');
    await f.sector('maritime-security', 'Maritime security');
    const ws = await f.workstream({ title: 'Coast guard cooperation', countries: ['PH'], sectors: ['maritime-security'] });
    // Something to report in every week the tests look at.
    for (const at of ['2026-10-16', '2026-10-23', '2026-11-26', '2026-11-27']) {
      await f.event(ws.id, { type: 'workstream.health_changed', occurredAt: new Date(`${at}T12:00:00Z`), from: 'on_track', to: 'at_risk' });
    }
    worker = await bootWorker(testEnv(db.url, queuePrefix, sink.url));
  });

  afterAll(async () => {
    await worker?.close();
    await sink?.close();
    await dropQueueKeys(queuePrefix);
    await db?.drop();
  });

  it('Asia/Tokyo, Monday 08:00: exactly one digest, in the Sunday 23:00 UTC slot (08:00 JST), none at other hours, none on a re-run', async () => {
    const tokyo = await digestSubscriber(db.prisma, { email: 'tokyo@example.org', timezone: 'Asia/Tokyo', digestDay: 'monday', digestHour: 8 });

    // Every hour from Tuesday to Sunday 22:00 UTC (Monday 07:00 JST): nothing.
    for (let t = Date.parse('2026-11-24T00:00:00Z'); t <= Date.parse('2026-11-29T22:00:00Z'); t += HOUR) {
      await runDigestSlot(worker, new Date(t).toISOString());
    }
    expect(await digestsOf(tokyo.id)).toEqual([]);

    // Sunday 23:00 UTC = Monday 08:00 JST.
    const result = await runDigestSlot(worker, '2026-11-29T23:00:00Z');
    expect(result).toMatchObject({ created: 1, suppressed: 0 });
    const [mail] = await mailsTo(sink, 'tokyo@example.org', 1);

    const [delivery] = await digestsOf(tokyo.id);
    expect(delivery.digestWeek?.toISOString().slice(0, 10)).toBe('2026-11-30');
    expect(delivery.payload).toEqual({ asOf: '2026-11-29T23:00:00Z' });
    expect(mail.subject).toMatch(/^Pledgewatch weekly, 30 November 2026: 2 changes/);
    expect(mail.messageId).toMatch(new RegExp(`^<${delivery.id}@[^>]+>$`));
    expect(rawHeader(mail, 'List-Unsubscribe')).toMatch(/^<http:\/\/pledgewatch\.test\/v1\/subscriptions\/unsubscribe\?token=[^>]+>$/);
    expect(rawHeader(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    // Handlebars writes "=" in attributes as &#x3D;.
    expect(mail.html).toMatch(/href="http:\/\/pledgewatch\.test\/v1\/subscriptions\/manage\?token(=|&#x3D;)[^"]+"/);
    expect(mail.text).toContain('Manage your preferences: http://pledgewatch.test/v1/subscriptions/manage?token=');

    // The same slot again (a retry, a second replica), and every later hour of the day: nothing more.
    await runDigestSlot(worker, '2026-11-29T23:00:00Z', 'rerun');
    for (let t = Date.parse('2026-11-30T00:00:00Z'); t <= Date.parse('2026-11-30T12:00:00Z'); t += HOUR) {
      await runDigestSlot(worker, new Date(t).toISOString());
    }
    expect(await mailsTo(sink, 'tokyo@example.org', 1)).toHaveLength(1);
    const all = await digestsOf(tokyo.id);
    expect(all).toHaveLength(1);
    expect(all[0].status).toBe('sent');
  });

  it('Europe/London, Monday 08:00: at 08:00 local the week before the October change (07:00 UTC) and the week after (08:00 UTC)', async () => {
    const london = await digestSubscriber(db.prisma, { email: 'london@example.org', timezone: 'Europe/London' });

    await runDigestSlot(worker, '2026-10-19T06:00:00Z'); // 07:00 BST
    expect(await digestsOf(london.id)).toEqual([]);
    await runDigestSlot(worker, '2026-10-19T07:00:00Z'); // 08:00 BST
    expect((await digestsOf(london.id)).map((d) => d.digestWeek?.toISOString().slice(0, 10))).toEqual(['2026-10-19']);

    // Clocks went back on Sunday 25 October.
    await runDigestSlot(worker, '2026-10-26T07:00:00Z'); // 07:00 GMT
    expect(await digestsOf(london.id)).toHaveLength(1);
    await runDigestSlot(worker, '2026-10-26T08:00:00Z'); // 08:00 GMT
    const weeks = await digestsOf(london.id);
    expect(weeks.map((d) => [d.digestWeek?.toISOString().slice(0, 10), d.payload])).toEqual([
      ['2026-10-19', { asOf: '2026-10-19T07:00:00Z' }],
      ['2026-10-26', { asOf: '2026-10-26T08:00:00Z' }],
    ]);

    const mails = await mailsTo(sink, 'london@example.org', 2);
    expect(mails.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Pledgewatch weekly, 19 October 2026: 1 change,/),
      expect.stringMatching(/^Pledgewatch weekly, 26 October 2026: 1 change,/),
    ]);
  });

  it('a missed slot (worker down for an hour) is caught up by the next run, once', async () => {
    const manila = await digestSubscriber(db.prisma, { email: 'manila@example.org', timezone: 'Asia/Manila', digestDay: 'wednesday', digestHour: 9 });

    // Wednesday 09:00 PHT is 01:00 UTC; the 01:00 run never happens. The 02:00 run covers it.
    await runDigestSlot(worker, '2026-12-02T00:00:00Z');
    expect(await digestsOf(manila.id)).toEqual([]);
    const result = await runDigestSlot(worker, '2026-12-02T02:00:00Z');
    expect(result).toMatchObject({ created: 1 });
    const [delivery] = await digestsOf(manila.id);
    // The digest is the one that fell due at 01:00 UTC: its week and its as-of instant.
    expect(delivery.digestWeek?.toISOString().slice(0, 10)).toBe('2026-12-02');
    expect(delivery.payload).toEqual({ asOf: '2026-12-02T01:00:00Z' });

    // The missed slot's own job arriving late, and the next hours: nothing more.
    await runDigestSlot(worker, '2026-12-02T01:00:00Z');
    await runDigestSlot(worker, '2026-12-02T03:00:00Z');
    expect(await mailsTo(sink, 'manila@example.org', 1)).toHaveLength(1);
    expect(await digestsOf(manila.id)).toHaveLength(1);
  });

  it('the cron only enqueues: every tick within an hour adds the same one job, named after the slot', async () => {
    const schedule = worker.get(DigestSchedule);
    const queue = worker.get(JobQueues).queue(QUEUES.digest);
    expect((await schedule.enqueue(new Date('2026-06-04T10:05:00Z'))).toISOString()).toBe('2026-06-04T10:00:00.000Z');
    await schedule.enqueue(new Date('2026-06-04T10:40:00Z'));
    const jobs = (await queue.getJobs(['waiting', 'active', 'completed', 'failed'])).filter((j) => j.data.slot === '2026-06-04T10:00:00.000Z');
    expect(jobs.map((j) => [j.id, j.name])).toEqual([['digest-2026-06-04T1000Z', 'digest.run']]);
  });

  it('unsubscribed, unconfirmed or digest-off subscribers get nothing; someone who subscribed after their hour waits for next week', async () => {
    const others = await Promise.all([
      digestSubscriber(db.prisma, { email: 'left@example.org', state: 'unsubscribed', digestDay: 'friday', digestHour: 10 }),
      digestSubscriber(db.prisma, { email: 'pending@example.org', state: 'pending', digestDay: 'friday', digestHour: 10 }),
      digestSubscriber(db.prisma, { email: 'alerts-only@example.org', digest: false, digestDay: 'friday', digestHour: 10 }),
      digestSubscriber(db.prisma, { email: 'no-topics@example.org', topics: [], digestDay: 'friday', digestHour: 10 }),
    ]);
    const late = await digestSubscriber(db.prisma, { email: 'late@example.org', digestDay: 'friday', digestHour: 10 });
    await db.prisma.subscriber.update({ where: { id: late.id }, data: { confirmedAt: new Date('2026-12-04T10:30:00Z') } });
    const before = sink.messages.length;

    const result = await runDigestSlot(worker, '2026-12-04T11:00:00Z');
    expect(result).toMatchObject({ created: 0, suppressed: 0 });
    await settle();
    for (const s of [...others, late]) expect(await digestsOf(s.id)).toEqual([]);
    expect(sink.messages.length).toBe(before);
  });
});
