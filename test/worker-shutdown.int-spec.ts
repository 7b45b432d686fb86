import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { JOB_CATALOG, QueueBackend, QUEUES } from '@pledgewatch/queue';
import { buildApp, startWorker, waitForWorkers } from './support/processes';
import { dropQueueKeys, queueEnv, testQueueBackend, testQueuePrefix } from './support/queues';
import { eventually } from './support/alerts-harness';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';
import { freePort } from './support/redis-server';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

const JOBS = 200;
const SHUTDOWN_TIMEOUT_SECONDS = 10;

/** Resolves with the exit code; rejects if the process is still running `withinMs` after the call. */
function exitOf(child: ChildProcess, withinMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker was still running ${withinMs} ms after SIGTERM`));
    }, withinMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('Worker: SIGTERM while busy', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let backend: QueueBackend;
  let queue: Queue;
  const prefix = testQueuePrefix('shutdown');
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    buildApp('worker', () => undefined);
    db = await createTestDatabase();
    // 5 pooled connections × 100 ms a message: about 50 sends a second, so SIGTERM finds jobs active and waiting.
    sink = await startSmtpSink({ delayMs: 100 });
    backend = testQueueBackend(prefix, db.url);
    await backend.prepare();
    queue = backend.queue(QUEUES.email);
  }, 180_000);
  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await queue?.close();
    await backend?.onApplicationShutdown();
    await dropQueueKeys(prefix);
    await sink?.close();
    await db?.drop();
  });

  it(`exits 0 within SHUTDOWN_TIMEOUT_SECONDS, and after a new worker starts every one of ${JOBS} deliveries is sent exactly once`, async () => {
    const f = factories(db.prisma);
    const workstream = await f.workstream();
    const event = await f.event(workstream.id, { type: 'workstream.stage_changed', occurredAt: new Date(), from: 'pipeline', to: 'implementation' });
    await db.prisma.subscriber.createMany({ data: Array.from({ length: JOBS }, (_, i) => ({ email: `s${i}@shutdown.test`, state: 'active' as const, confirmedAt: new Date() })) });
    const subscribers = await db.prisma.subscriber.findMany({ select: { id: true } });
    await db.prisma.delivery.createMany({ data: subscribers.map((s) => ({ kind: 'alert' as const, subscriberId: s.id, eventId: event.id })) });
    const deliveries = await db.prisma.delivery.findMany({ select: { id: true } });
    await queue.addBulk(deliveries.map(({ id }) => ({ name: 'email.send', data: { deliveryId: id }, opts: { ...JOB_CATALOG['email.send'].options, jobId: id } })));

    const env = {
      DATABASE_URL: db.url,
      ...queueEnv(db.url, prefix),
      QUEUE_PREFIX: prefix,
      SMTP_URL: sink.url,
      PUBLIC_BASE_URL: 'http://pledgewatch.test',
      SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
      DELIVERY_STUCK_AFTER_SECONDS: '3600',
    };
    const first = startWorker({ ...env, METRICS_PORT: String(await freePort()) });
    workers.push(first);
    await waitForWorkers(first, [queue]);
    await eventually(async () => sink.messages.length >= 20, 60_000, '20 sends');
    first.kill('SIGTERM');
    expect(await exitOf(first, (SHUTDOWN_TIMEOUT_SECONDS + 10) * 1000)).toBe(0);
    const sentByFirst = await db.prisma.delivery.count({ where: { status: 'sent' } });
    expect(sentByFirst).toBeLessThan(JOBS); // it stopped with work left, which stayed queued

    const second = startWorker({ ...env, METRICS_PORT: String(await freePort()) });
    workers.push(second);
    await eventually(async () => (await db.prisma.delivery.count({ where: { status: 'sent' } })) === JOBS, 120_000, 'every delivery sent');
    second.kill('SIGTERM');
    expect(await exitOf(second, (SHUTDOWN_TIMEOUT_SECONDS + 10) * 1000)).toBe(0);

    const messageIds = sink.messages.map((m) => m.messageId);
    expect(messageIds).toHaveLength(JOBS);
    expect(new Set(messageIds).size).toBe(JOBS);
  }, 240_000);
});
