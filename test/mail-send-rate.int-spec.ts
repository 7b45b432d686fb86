import type { ChildProcess } from 'node:child_process';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import type { Queue } from 'bullmq';
import { DeliveryQueue } from '@pledgewatch/deliveries';
import { JobQueues, JOBS, QueueBackend, QUEUES } from '@pledgewatch/queue';
import { buildApp, startWorker, stopProcess } from './support/processes';
import { Sink, startSink } from './support/sink-process';
import { bearer, insertApiKey } from './support/admin';
import { bootWorker, dropQueueKeys, eventually, testEnv, testQueuePrefix } from './support/alerts-harness';
import { bootApi } from './support/api';
import { withBuildLock } from './support/build-lock';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';
import { queueEnv, testQueueBackend } from './support/queues';
import { freePort } from './support/redis-server';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

/** The most arrivals in any one-second window [t, t + 1 s) that starts at an arrival: a sliding window. */
function busiestSecond(arrivals: number[]): number {
  const times = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j] < times[i] + 1_000) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

/** Sends a second over the run: (n − 1) intervals between the first and the last arrival. */
const measuredRate = (arrivals: number[]) => (arrivals.length - 1) / ((Math.max(...arrivals) - Math.min(...arrivals)) / 1000);

/** `count` active subscribers who follow one workstream, and an event on it that alerts them all. */
async function alertAudience(db: TestDatabase, count: number, tag: string) {
  const f = factories(db.prisma);
  const workstream = await f.workstream({ title: `Rate ${tag}` });
  await db.prisma.subscriber.createMany({
    data: Array.from({ length: count }, (_, i) => ({ email: `r${i}@${tag}.test`, state: 'active' as const, confirmedAt: new Date('2026-01-01T00:00:00Z') })),
  });
  const subscribers = await db.prisma.subscriber.findMany({ where: { email: { endsWith: `@${tag}.test` } }, select: { id: true } });
  await db.prisma.subscription.createMany({ data: subscribers.map((s) => ({ subscriberId: s.id, workstreamId: workstream.id })) });
  return f.event(workstream.id, { type: 'workstream.stage_changed', occurredAt: new Date(), from: 'pipeline', to: 'implementation' });
}

/** pledgewatch_deliveries_total{kind="alert",status="sent"} of one worker process. */
async function alertsSentBy(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('pledgewatch_deliveries_total{') && l.includes('kind="alert"') && l.includes('status="sent"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('MAIL_RATE_PER_SECOND across two worker processes', () => {
  let db: TestDatabase;
  // In a process of its own, so the arrival times are the sink's, not those of this busy test process.
  let sink: Sink;
  let backend: QueueBackend;
  let jobs: JobQueues;
  let email: Queue;
  const prefix = testQueuePrefix('mail-rate');
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    // One build at a time for this checkout (the same file runs on both queue backends at once).
    await withBuildLock(async () => buildApp('worker', () => undefined));
    db = await createTestDatabase('pw_mail_rate');
    sink = await startSink({ recordArrivals: true });
    backend = testQueueBackend(prefix, db.url);
    await backend.prepare();
    jobs = new JobQueues(backend, {});
    email = backend.queue(QUEUES.email);
  }, 600_000);
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(stopProcess));
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map(stopProcess));
    await email?.close();
    await jobs?.onModuleDestroy();
    await backend?.onApplicationShutdown();
    await dropQueueKeys(prefix);
    sink?.stop();
    await db?.drop();
  });

  async function twoWorkers(rate: number): Promise<number[]> {
    const ports = [await freePort(), await freePort()];
    const env = {
      DATABASE_URL: db.url,
      ...queueEnv(db.url, prefix),
      QUEUE_PREFIX: prefix,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      PUBLIC_BASE_URL: 'http://pledgewatch.test',
      DELIVERY_STUCK_AFTER_SECONDS: '3600',
      MAIL_RATE_PER_SECOND: String(rate),
    };
    for (const port of ports) workers.push(startWorker({ ...env, METRICS_PORT: String(port) }));
    await eventually(async () => {
      for (const worker of workers) if (worker.exitCode !== null) throw new Error(`a worker exited with code ${worker.exitCode}`);
      return (await email.getWorkersCount()) >= 2;
    }, 60_000, 'two workers on the email queue');
    return ports;
  }

  it.each([
    { rate: 20, alerts: 200, minSeconds: 9 },
    { rate: 100, alerts: 400, minSeconds: 3.9 },
  ])('$rate msg/s: $alerts alerts go out over ≥ $minSeconds s, never more than $rate (+2) in a sliding second, each once', async ({ rate, alerts, minSeconds }) => {
    const ports = await twoWorkers(rate);
    const event = await alertAudience(db, alerts, `rate${rate}`);
    const before = (await sink.arrivals()).length;
    await jobs.add(JOBS.eventsFanout, { payload: { eventId: event.id }, jobId: event.id });

    await sink.reached(before + alerts);
    const mails = (await sink.arrivals()).slice(before);
    const arrivals = mails.map((m) => m.at);
    const seconds = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    console.log(`MAIL_RATE_PER_SECOND=${rate}, two workers: ${alerts} alerts over ${seconds.toFixed(2)} s = ${measuredRate(arrivals).toFixed(2)} msg/s; busiest sliding second ${busiestSecond(arrivals)}`);
    expect(seconds).toBeGreaterThanOrEqual(minSeconds);
    expect(busiestSecond(arrivals)).toBeLessThanOrEqual(rate + 2);

    // Both processes sent (one shared limit, not one each), and every delivery went out exactly once.
    // (The sink has them a moment before the workers have recorded them.)
    const deliveries = await eventually(async () => {
      const rows = await db.prisma.delivery.findMany({ where: { eventId: event.id } });
      return rows.length === alerts && rows.every((d) => d.status === 'sent') ? rows : null;
    }, 20_000, 'every delivery recorded as sent');
    expect(deliveries.every((d) => d.attempts === 1)).toBe(true);
    const perWorker = await eventually(async () => {
      const counts = await Promise.all(ports.map(alertsSentBy));
      return counts[0] + counts[1] === alerts ? counts : null;
    }, 10_000, 'both workers counting their sends');
    expect(perWorker.every((n) => n > 0)).toBe(true);
    expect(mails.map((m) => m.messageId).sort()).toEqual(deliveries.map((d) => `<${d.id}@pledgewatch.test>`).sort());
  }, 180_000);
});

describe.each([{ rate: null }, { rate: 50 }])('an SMTP server that answers 454 Throttling failure to one message in three (MAIL_RATE_PER_SECOND=$rate)', ({ rate }) => {
  const ALERTS = 30;
  let db: TestDatabase;
  let sink: SmtpSink;
  let worker: INestApplicationContext;
  const prefix = testQueuePrefix('mail-throttle');

  beforeAll(async () => {
    db = await createTestDatabase('pw_mail_throttle');
    sink = await startSmtpSink({
      failWith: (attempt) => (attempt % 3 === 0 ? { code: 454, text: 'Throttling failure: Maximum sending rate exceeded.' } : null),
    });
    worker = await bootWorker(testEnv(db.url, prefix, sink.url, rate === null ? {} : { MAIL_RATE_PER_SECOND: String(rate) }));
  });
  afterAll(async () => {
    await worker?.close();
    await dropQueueKeys(prefix);
    await sink?.close();
    await db?.drop();
  });

  it('delivers every message once, fails none, and counts the throttles apart from the attempts', async () => {
    const event = await alertAudience(db, ALERTS, 'throttle');
    await worker.get(JobQueues).add(JOBS.eventsFanout, { payload: { eventId: event.id }, jobId: event.id });
    await sink.waitFor(ALERTS, 60_000);
    const deliveries = await eventually(async () => {
      const rows = await db.prisma.delivery.findMany({ where: { eventId: event.id } });
      return rows.length === ALERTS && rows.every((d) => d.status === 'sent') ? rows : null;
    }, 20_000, 'every delivery sent');

    const refused = sink.attempts() - ALERTS;
    expect(refused).toBeGreaterThanOrEqual(ALERTS / 3 - 1);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(ALERTS);
    expect(await db.prisma.delivery.count({ where: { status: 'failed' } })).toBe(0);
    // attempts: only the send that went through (there was no other failure); the 454s are counted apart.
    expect(deliveries.map((d) => d.attempts)).toEqual(Array(ALERTS).fill(1));
    expect(deliveries.reduce((sum, d) => sum + d.throttledCount, 0)).toBe(refused);
    expect(deliveries.filter((d) => d.throttledCount > 0).every((d) => d.lastError === null)).toBe(true);
  }, 90_000);
});

describe('priorities under a low MAIL_RATE_PER_SECOND', () => {
  const DIGESTS = 500;
  const RATE = 20;
  let db: TestDatabase;
  let sink: SmtpSink;
  let worker: INestApplicationContext;
  let api: INestApplication;
  const prefix = testQueuePrefix('mail-priority');

  beforeAll(async () => {
    db = await createTestDatabase('pw_mail_priority');
    await factories(db.prisma).country('PH', 'Philippines');
    sink = await startSmtpSink();
    const env = testEnv(db.url, prefix, sink.url, { MAIL_RATE_PER_SECOND: String(RATE) });
    worker = await bootWorker(env);
    api = await bootApi(db.url, env);
  });
  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await dropQueueKeys(prefix);
    await sink?.close();
    await db?.drop();
  });

  it(`a confirmation queued behind ${DIGESTS} digests goes out before them; the list shows them queued with the next send time`, async () => {
    await db.prisma.subscriber.createMany({
      data: Array.from({ length: DIGESTS }, (_, i) => ({ email: `d${i}@digest.test`, state: 'active' as const, alerts: false, confirmedAt: new Date('2026-01-01T00:00:00Z') })),
    });
    const subscribers = await db.prisma.subscriber.findMany({ select: { id: true } });
    await db.prisma.subscription.createMany({ data: subscribers.map((s) => ({ subscriberId: s.id, countryCode: 'PH' })) });
    await db.prisma.delivery.createMany({
      data: subscribers.map((s) => ({ kind: 'digest' as const, subscriberId: s.id, digestWeek: new Date('2026-11-30'), payload: { asOf: new Date().toISOString() } })),
    });
    const digests = await db.prisma.delivery.findMany({ where: { kind: 'digest' }, select: { id: true } });
    await worker.get(DeliveryQueue).enqueue(digests.map((d) => d.id), 'digest');
    await sink.waitFor(5, 20_000); // the digests are going out, at the rate

    const admin = (await insertApiKey(db.prisma, 'test admin', 'admin')).key;
    const listed = await request(api.getHttpServer()).get('/v1/admin/deliveries?status=queued&kind=digest&limit=5').set(bearer(admin)).expect(200);
    expect(listed.body.items).toHaveLength(5);
    for (const item of listed.body.items) {
      expect(item).toMatchObject({ status: 'queued', throttledCount: 0, nextSendAt: expect.any(String) });
      expect(Math.abs(Date.parse(item.nextSendAt) - Date.now())).toBeLessThan(5_000);
    }

    // The 202 comes once the confirmation's job is in the queue, behind the digests still waiting.
    await request(api.getHttpServer()).post('/v1/subscriptions').send({ email: 'impatient@example.org', countries: ['PH'] }).expect(202);
    const enqueuedBehind = DIGESTS - sink.messages.length;
    const digestsBefore = sink.messages.length;
    const isConfirmation = (m: { to?: unknown }) => JSON.stringify(m.to).includes('impatient@example.org');
    await eventually(async () => sink.messages.some(isConfirmation), 20_000, 'the confirmation');
    const position = sink.messages.findIndex(isConfirmation);
    const digestsAhead = position - digestsBefore;
    console.log(`confirmation queued behind ${enqueuedBehind} unsent digests at ${RATE} msg/s: ${digestsAhead} digests still went ahead of it`);
    // Only the digests already taken from the queue (a turn each, or at most a second's wait for one) go ahead of it.
    expect(digestsAhead).toBeLessThanOrEqual(2 * RATE);
    expect(DIGESTS - position).toBeGreaterThanOrEqual(DIGESTS * 0.8);
  }, 90_000);
});
