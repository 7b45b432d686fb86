import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@pledgewatch/config';
import { QUEUE_NAMES, QueueBackend, QUEUES } from '@pledgewatch/queue';
import type { Queue } from 'bullmq';
import { withBuildLock } from './support/build-lock';
import { createTestDatabase, TestDatabase } from './support/database';
import { eventually, settle } from './support/eventually';
import { factories } from './support/factories';
import { TestRedisCluster } from './support/redis-cluster';
import { freePort } from './support/redis-server';
import { startSmtpSink, SmtpSink } from './support/smtp-sink';

const ROOT = path.resolve(__dirname, '..');
const API_MAIN = 'dist/apps/api/apps/api/src/main.js';
const WORKER_MAIN = 'dist/apps/worker/apps/worker/src/main.js';
const SUBSCRIBERS = 2_000;

const build = promisify(execFile);

/**
 * The Redis backend on a real Redis Cluster (three masters on loopback), with two API and two
 * worker processes from the build, the test database and an SMTP sink: one event reaches each of
 * 2,000 subscribers exactly once, check slots run once each, and the subscribe rate limit is one
 * limit across both API processes.
 */
describe('Redis Cluster: two API and two worker processes', () => {
  const cluster = new TestRedisCluster();
  let db: TestDatabase;
  let sink: SmtpSink;
  let backend: QueueBackend;
  const processes: ChildProcess[] = [];
  const apiPorts: number[] = [];
  const queuePrefix = `cluster-${randomBytes(3).toString('hex')}`;

  const spawnApp = (main: string, env: Record<string, string>) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.REDIS_URL; // the test run's single Redis; REDIS_CLUSTER_NODES names the cluster
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    processes.push(child);
    return child;
  };

  beforeAll(async () => {
    await cluster.start();
    db = await createTestDatabase('pw_cluster');
    sink = await startSmtpSink();
    const f = factories(db.prisma);
    await f.country('TH', 'Thailand');
    await f.workstream({ slug: 'cluster-trial', title: 'Coastal radar for Thailand', countries: ['TH'] });

    const env: Record<string, string> = {
      NODE_ENV: 'development', // the worker's crons run
      LOG_LEVEL: 'warn',
      METRICS_PORT: '0', // two workers on one machine: no fixed metrics port
      DATABASE_URL: db.url,
      REDIS_CLUSTER_NODES: cluster.nodes,
      QUEUE_BACKEND: 'redis',
      QUEUE_PREFIX: queuePrefix,
      SMTP_URL: sink.url,
      PUBLIC_BASE_URL: 'http://pledgewatch.test',
      LINK_SECRET: randomBytes(32).toString('base64url'),
      CHECK_CRON: '*/2 * * * * *',
      DIGEST_CRON: '0 0 1 1 *',
    };
    backend = new QueueBackend(loadConfig(env));
    const queues: Queue[] = QUEUE_NAMES.map((name) => backend.queue(name, 'worker'));

    await withBuildLock(async () => {
      for (const app of ['api', 'worker']) {
        await build(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] }), 'build', app], { cwd: ROOT });
      }
      for (let i = 0; i < 2; i++) {
        apiPorts.push(await freePort());
        spawnApp(API_MAIN, { ...env, PORT: String(apiPorts[i]) });
        spawnApp(WORKER_MAIN, env);
      }
      for (const port of apiPorts) {
        await eventually(async () => (await fetch(`http://127.0.0.1:${port}/v1/status`).catch(() => null))?.status === 200, 60_000, `the API on ${port}`);
      }
      await eventually(async () => (await Promise.all(queues.map((q) => q.getWorkersCount()))).every((n) => n === 2), 60_000, 'two workers on every queue');
    });
    await Promise.all(queues.map((q) => q.close()));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(
      processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    await backend?.removeAllJobs().catch(() => undefined);
    await backend?.onApplicationShutdown();
    await cluster.stop();
    await sink?.close();
    await db?.drop();
  });

  it('one event fans out to 2,000 subscribers: each gets exactly one alert', async () => {
    // The first scheduled check settles the workstream's health (and fans its event out to nobody).
    await eventually(() => db.prisma.statusCheckRun.findFirst({ where: { trigger: 'schedule' } }), 30_000, 'a first check run');
    await eventually(async () => (await db.prisma.event.count({ where: { dispatchedAt: null } })) === 0, 30_000, 'the events dispatched');
    const events = backend.queue(QUEUES.events);
    await eventually(async () => {
      const counts = await events.getJobCounts('waiting', 'active', 'delayed');
      return Object.values(counts).every((n) => n === 0);
    }, 30_000, 'the fan-outs to finish');
    await events.close();

    await db.prisma.subscriber.createMany({
      data: Array.from({ length: SUBSCRIBERS }, (_, i) => ({ email: `reader${i}@example.org`, state: 'active' as const, confirmedAt: new Date(), digest: false })),
    });
    const subscribers = await db.prisma.subscriber.findMany({ select: { id: true } });
    await db.prisma.subscription.createMany({ data: subscribers.map((s) => ({ subscriberId: s.id, countryCode: 'TH' })) });

    // Written straight to the outbox: the relays of both workers race for it.
    const ws = await db.prisma.workstream.findUniqueOrThrow({ where: { slug: 'cluster-trial' } });
    const event = await factories(db.prisma).event(ws.id, { type: 'milestone.completed', occurredAt: new Date(), from: 'in_progress', to: 'completed' });

    await sink.waitFor(SUBSCRIBERS, 240_000);
    await eventually(async () => (await db.prisma.delivery.count({ where: { eventId: event.id, status: 'sent' } })) === SUBSCRIBERS, 60_000, 'every delivery sent');
    await settle(2_000);
    const alerts = sink.messages.filter((m) => m.subject?.includes('Coastal radar for Thailand'));
    expect(alerts).toHaveLength(SUBSCRIBERS);
    const recipients = new Set(alerts.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address));
    expect(recipients.size).toBe(SUBSCRIBERS);
    const rows = await db.prisma.delivery.findMany({ where: { eventId: event.id }, select: { status: true, attempts: true } });
    expect(rows).toHaveLength(SUBSCRIBERS);
    expect(rows.every((row) => row.status === 'sent' && row.attempts === 1)).toBe(true);
  }, 400_000);

  it('check slots fired by both workers run once each', async () => {
    const runs = await db.prisma.statusCheckRun.findMany({ where: { trigger: 'schedule' } });
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(runs.map((run) => run.slot)).size).toBe(runs.length);
    const status = backend.queue(QUEUES.status);
    const failed = await status.getJobCounts('failed');
    await status.close();
    expect(failed).toEqual({ failed: 0 });
  });

  it('the subscribe rate limit is one limit across both API processes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const port = apiPorts[i % 2];
      const res = await fetch(`http://127.0.0.1:${port}/v1/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `limited${i}@example.org`, countries: ['TH'] }),
      });
      statuses.push(res.status);
    }
    // 5 a minute per client address (SUBSCRIBE_LIMIT_PER_IP, default 5/60), counted in the cluster.
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});
