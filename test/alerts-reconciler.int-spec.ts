import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { DeliveryReconciler } from '@pledgewatch/deliveries';
import { JobQueues, JOBS, QUEUES } from '@pledgewatch/queue';
import { bootWorker, dropQueueKeys, eventually, settle, testEnv, testQueuePrefix } from './support/alerts-harness';
import { bootApi } from './support/api';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

/**
 * Postgres is the source of truth, Redis carries work only: deliveries whose send jobs
 * are gone — the worker died after creating them, or Redis lost everything — are found in
 * Postgres and sent, each exactly once.
 */
describe('delivery reconciler', () => {
  const SUBSCRIBERS = 5;
  let db: TestDatabase;
  let sink: SmtpSink;
  let worker: INestApplicationContext | undefined;
  const queuePrefix = testQueuePrefix('alerts-reconciler');
  let env: Record<string, string>;
  /** Per message, in order: the reply code the sink gives (null accepts). */
  let replies: (number | null)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('pw_alerts_reconciler');
    sink = await startSmtpSink({ failWith: () => replies.shift() ?? null });
    env = testEnv(db.url, queuePrefix, sink.url, { DELIVERY_STUCK_AFTER_SECONDS: '1' });
  });

  /** The worker of the test, booted unless a test left one running. */
  const runningWorker = async () => (worker ??= await bootWorker(env));

  afterAll(async () => {
    await worker?.close();
    await sink?.close();
    await dropQueueKeys(queuePrefix);
    await db?.drop();
  });

  it('a worker killed between creating deliveries and sending, and Redis losing the jobs: each email goes out once', async () => {
    const f = factories(db.prisma);
    await f.country('VN', 'Viet Nam');
    const ws = await f.workstream({ title: 'Patrol vessels for the Viet Nam Coast Guard', countries: ['VN'] });
    for (let i = 0; i < SUBSCRIBERS; i++) {
      await db.prisma.subscriber.create({
        data: { email: `reader${i}@example.org`, state: 'active', confirmedAt: new Date(), subscriptions: { create: [{ countryCode: 'VN' }] } },
      });
    }
    const event = await f.event(ws.id, { type: 'milestone.completed', occurredAt: new Date(), from: 'in_progress', to: 'completed' });
    // This test hands the event to the fan-out itself: marked dispatched, the worker's outbox relay leaves it alone.
    await db.prisma.event.update({ where: { id: event.id }, data: { dispatchedAt: new Date() } });

    // First worker: fans out, but its sends never run (the email queue is held), then it dies.
    worker = await bootWorker(env);
    const email = worker.get(JobQueues).queue(QUEUES.email);
    await email.pause();
    await worker.get(JobQueues).add(JOBS.eventsFanout, { payload: { eventId: event.id }, jobId: event.id });
    // Listed, not counted: BullMQ's PostgreSQL backend counts a paused queue's waiting jobs as `paused`.
    // Alerts carry a priority (EMAIL_PRIORITY): on Redis they wait as `prioritized`. A fan-out's
    // deliveries travel in batches (EMAIL_SEND_BATCH_SIZE): count the deliveries the jobs carry.
    const carried = async () => {
      const jobs = new Map((await email.getJobs(['waiting', 'prioritized'])).map((job) => [job.id, job]));
      return [...jobs.values()].flatMap((job) => job.data.deliveryIds ?? [job.data.deliveryId]);
    };
    await eventually(async () => (await carried()).length === SUBSCRIBERS, 10_000, 'the send jobs');
    const rows = await db.prisma.delivery.findMany({ where: { eventId: event.id, status: 'queued' } });
    expect(rows).toHaveLength(SUBSCRIBERS);
    // One batch carries them all, and each row names it.
    expect(new Set(rows.map((row) => row.sendJobId))).toEqual(new Set([expect.stringMatching(/^batch-/)]));
    expect(new Set(await carried())).toEqual(new Set(rows.map((row) => row.id)));

    // While the jobs still exist, the reconciler leaves them alone: no second job, no second email.
    await settle(1_200);
    expect(await worker.get(DeliveryReconciler).reconcile()).toEqual({ examined: SUBSCRIBERS, requeued: 0 });

    await worker.close();
    worker = undefined;
    // Redis loses everything of this queue.
    await dropQueueKeys(queuePrefix);
    expect(sink.messages).toHaveLength(0);

    // A new worker: the reconciler finds the stuck deliveries in Postgres and sends them.
    worker = await bootWorker(env);
    const result = await worker.get(DeliveryReconciler).reconcile();
    expect(result).toEqual({ examined: SUBSCRIBERS, requeued: SUBSCRIBERS });
    await sink.waitFor(SUBSCRIBERS);
    await eventually(async () => (await db.prisma.delivery.count({ where: { eventId: event.id, status: 'sent' } })) === SUBSCRIBERS);

    // Once: running it again (as every 30 s) finds nothing to do and sends nothing.
    await settle(1_200);
    expect(await worker.get(DeliveryReconciler).reconcile()).toEqual({ examined: 0, requeued: 0 });
    await settle();
    const to = sink.messages.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address).sort();
    expect(to).toEqual(Array.from({ length: SUBSCRIBERS }, (_, i) => `reader${i}@example.org`));
    const sent = await db.prisma.delivery.findMany({ where: { eventId: event.id } });
    expect(sent.every((row) => row.status === 'sent' && row.attempts === 1 && row.messageId === `<${row.id}@pledgewatch.test>`)).toBe(true);
  });

  it('a job that is no longer a delivery\'s carrier sends nothing: the batch named on the row does', async () => {
    const before = sink.messages.length;
    const f = factories(db.prisma);
    await f.country('VN', 'Viet Nam');
    const ws = await f.workstream({ title: 'Maritime domain awareness for Viet Nam', countries: ['VN'] });
    const subscriber = await db.prisma.subscriber.create({
      data: { email: 'carried-reader@example.org', state: 'active', confirmedAt: new Date(), subscriptions: { create: [{ countryCode: 'VN' }] } },
    });
    const event = await db.prisma.event.create({
      data: { type: 'milestone_overdue', workstreamId: ws.id, from: 'in_progress', to: 'overdue', reason: 'due date passed', actor: 'test', dispatchedAt: new Date() },
    });
    // The row names a batch as its carrier (the reconciler re-batched it, say); a stale job of its own turns up.
    const delivery = await db.prisma.delivery.create({
      data: { kind: 'alert', subscriberId: subscriber.id, eventId: event.id, status: 'queued', sendJobId: 'batch-test-carrier' },
    });
    const live = await runningWorker();
    const email = live.get(JobQueues).queue(QUEUES.email);
    await email.add(JOBS.emailSend, { deliveryId: delivery.id }, { jobId: delivery.id });
    const stale = await email.getJob(delivery.id);
    await eventually(async () => (await stale!.getState()) === 'completed', 10_000, 'the stale job to finish');
    expect((await email.getJob(delivery.id))?.returnvalue).toEqual({ outcome: 'not_carrier' });
    await settle();
    expect(sink.messages.length).toBe(before);
    expect((await db.prisma.delivery.findUniqueOrThrow({ where: { id: delivery.id } })).status).toBe('queued');

    // Its carrier sends it, once.
    await email.add(JOBS.emailSendBatch, { deliveryIds: [delivery.id] }, { jobId: 'batch-test-carrier' });
    const [mail] = (await sink.waitFor(before + 1)).slice(before);
    expect(mail.messageId).toBe(`<${delivery.id}@pledgewatch.test>`);
    await eventually(async () => (await db.prisma.delivery.findUnique({ where: { id: delivery.id } }))?.status === 'sent');
    await settle();
    expect(sink.messages.length).toBe(before + 1);
  });

  it('a delivery whose job finished without sending it (completed or failed for good) is given a fresh job', async () => {
    const before = sink.messages.length;
    const f = factories(db.prisma);
    await f.country('VN', 'Viet Nam');
    const ws = await f.workstream({ title: 'Coastal radar for Viet Nam', countries: ['VN'] });
    const subscriber = await db.prisma.subscriber.create({
      data: { email: 'decoy-reader@example.org', state: 'active', confirmedAt: new Date(), subscriptions: { create: [{ countryCode: 'VN' }] } },
    });
    const live = await runningWorker();
    const later = await db.prisma.event.create({
      // Dispatched already: no fan-out of its own, only the delivery below.
      data: { type: 'milestone_overdue', workstreamId: ws.id, from: 'in_progress', to: 'overdue', reason: 'due date passed', actor: 'test', dispatchedAt: new Date() },
    });
    // A row left queued whose job id is taken by a finished job (e.g. restored from an old Redis snapshot).
    const delivery = await db.prisma.delivery.create({
      data: { kind: 'alert', subscriberId: subscriber.id, eventId: later.id, status: 'queued', updatedAt: new Date(Date.now() - 60_000) },
    });
    const email = live.get(JobQueues).queue(QUEUES.email);
    await email.add(JOBS.emailSend, { deliveryId: 'not-this-one' }, { jobId: delivery.id });
    const job = await email.getJob(delivery.id);
    await eventually(async () => ['completed', 'failed'].includes(await job!.getState()), 10_000, 'the decoy job to finish');
    await db.prisma.delivery.update({ where: { id: delivery.id }, data: { updatedAt: new Date(Date.now() - 60_000) } });

    expect(await live.get(DeliveryReconciler).reconcile()).toEqual({ examined: 1, requeued: 1 });
    await sink.waitFor(before + 1);
    await eventually(async () => (await db.prisma.delivery.findUnique({ where: { id: delivery.id } }))?.status === 'sent');
  });

  it('a confirmation whose first attempt fails (SMTP 452) is retried by its own send job, with a working link', async () => {
    let api: INestApplication | undefined;
    try {
      await factories(db.prisma).country('VN', 'Viet Nam');
      const live = await runningWorker();
      api = await bootApi(db.url, env);
      const before = sink.messages.length;
      // 452, a transient failure: not 421 (that one closes the connection, and nodemailer's pool may
      // resend on a fresh one), nor 451/454 (throttling answers: re-queued without an attempt).
      replies = [452];
      await request(api.getHttpServer()).post('/v1/subscriptions').send({ email: 'late-confirmation@example.org', countries: ['VN'] }).expect(202);
      const subscriber = await eventually(() => db.prisma.subscriber.findUnique({ where: { email: 'late-confirmation@example.org' } }));
      const queued = await eventually(() =>
        db.prisma.delivery.findFirst({ where: { subscriberId: subscriber.id, kind: 'confirmation', status: 'queued', attempts: 1 } }),
      );
      expect(queued.lastError).toMatch(/452/);
      expect(sink.messages.length).toBe(before);

      // The job waits for its backoff: live, so the reconciler leaves it alone.
      const job = await eventually(async () => {
        const found = await live.get(JobQueues).queue(QUEUES.email).getJob(queued.id);
        return found && (await found.getState()) === 'delayed' ? found : null;
      });
      await db.prisma.delivery.update({ where: { id: queued.id }, data: { updatedAt: new Date(Date.now() - 60_000) } });
      expect(await live.get(DeliveryReconciler).reconcile()).toEqual({ examined: 1, requeued: 0 });
      await job.promote(); // the 30 s backoff, skipped
      const [mail] = (await sink.waitFor(before + 1)).slice(before);
      expect(mail.subject).toBe('Confirm your Pledgewatch subscription');
      expect(mail.messageId).toBe(`<${queued.id}@pledgewatch.test>`);
      const sent = await eventually(async () => {
        const row = await db.prisma.delivery.findUnique({ where: { id: queued.id } });
        return row?.status === 'sent' ? row : null;
      });
      expect(sent.attempts).toBe(2);

      const link = /http:\/\/pledgewatch\.test(\/v1\/subscriptions\/confirm\?token=\S+)/.exec(mail.text ?? '')?.[1];
      expect(link).toBeDefined();
      await request(api.getHttpServer()).post(link!).set('Accept', 'application/json').expect(200);
      expect((await db.prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).state).toBe('active');
    } finally {
      await api?.close();
    }
  });
});
