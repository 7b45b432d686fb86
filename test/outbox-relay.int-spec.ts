import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import { AppConfig, ConfigModule, loadConfig } from '@pledgewatch/config';
import { DatabaseModule } from '@pledgewatch/database';
import { EventsDispatcher, EventsWriteModule } from '@pledgewatch/events';
import { JobQueues, JOBS, QueueModule, QUEUES } from '@pledgewatch/queue';
import { OutboxRelay } from '../apps/worker/src/outbox/outbox-relay';
import { AlertDeliveriesRepository } from '@pledgewatch/alerts';
import type { PrismaService } from '@pledgewatch/database';
// eslint-disable-next-line no-restricted-imports -- the outbox repository is internal to the events library; this race test drives its finish mark by hand
import { EventsOutboxRepository } from '../libs/events/src/events-outbox.repository';
import { WORKER_OPTIONS, WorkerOptions } from '../apps/worker/src/worker-options';
import { testQueuePrefix } from './support/queues';
import { createTestDatabase, TestDatabase } from './support/database';
import { freePort, TestRedis } from './support/redis-server';
import { factories } from './support/factories';
import { utcDay } from './support/status-harness';
import { eventually } from './support/eventually';

/** The worker's outbox half, without processors: jobs stay in Redis where the test can count them. */
@Module({})
class OutboxHarness {
  static forRoot(config: AppConfig, options: WorkerOptions): DynamicModule {
    return {
      module: OutboxHarness,
      imports: [ConfigModule.forRoot(config), DatabaseModule, ScheduleModule.forRoot(), QueueModule.forRoot({ enqueueTimeoutMs: 1_000 }), EventsWriteModule],
      providers: [{ provide: WORKER_OPTIONS, useValue: options }, OutboxRelay],
    };
  }
}

describe('event outbox', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let workstreamId: string;
  const contexts: INestApplicationContext[] = [];
  /** Every event id handed to Redis for fan-out, by every context, in order. */
  const enqueued: string[] = [];

  const boot = async (options: WorkerOptions) => {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: testQueuePrefix('outbox'),
    });
    // Replicas share a prefix: the second context reuses the first one's.
    if (contexts.length) Object.assign(config, { queuePrefix: contexts[0].get(AppConfig).queuePrefix });
    const app = await NestFactory.createApplicationContext(OutboxHarness.forRoot(config, options), { logger: false });
    const queues = app.get(JobQueues);
    const addBulk = queues.addBulk.bind(queues);
    jest.spyOn(queues, 'addBulk').mockImplementation(async (name, jobs) => {
      await addBulk(name, jobs);
      if (name === JOBS.eventsFanout) enqueued.push(...jobs.map((job) => job.jobId));
    });
    contexts.push(app);
    return app;
  };

  const writeEvents = async (count: number, occurredAt = new Date()) => {
    const ids: string[] = Array.from({ length: count }, () => randomUUID());
    await db.prisma.event.createMany({
      data: ids.map((id, i) => ({ id, type: 'milestone_rescheduled', workstreamId, reason: `event ${i}`, actor: 'test', occurredAt })),
    });
    return ids;
  };
  const undispatched = (ids: string[]) => db.prisma.event.count({ where: { id: { in: ids }, dispatchedAt: null } });
  const fanoutPending = (ids: string[]) => db.prisma.event.count({ where: { id: { in: ids }, fanoutPending: true } });
  const fanoutJobIds = async (app: INestApplicationContext) => {
    const jobs = await app.get(JobQueues).queue(QUEUES.events).getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
    return jobs.map((job) => job.id!).sort();
  };

  beforeAll(async () => {
    db = await createTestDatabase('pw_outbox');
    redis = new TestRedis(await freePort());
    await redis.start();
    ({ id: workstreamId } = await factories(db.prisma).workstream({ slug: 'outbox', createdAt: utcDay(-10), milestones: [] }));
  });
  // Each test boots the contexts it needs: none sees another test's relays or prefix.
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await redis?.stop();
    await db?.drop();
  });

  it('dispatches right after commit: one job per event, job id = event id, dispatchedAt set', async () => {
    const app = await boot({ relayEveryMs: false });
    const ids = await writeEvents(3);
    await expect(app.get(EventsDispatcher).dispatch(ids)).resolves.toBe(3);
    expect(await undispatched(ids)).toBe(0);
    expect(await fanoutJobIds(app)).toEqual([...ids].sort());
    const job = await app.get(JobQueues).queue(QUEUES.events).getJob(ids[0]);
    expect(job).toMatchObject({ name: JOBS.eventsFanout, data: { eventId: ids[0] } });
    // A second dispatch of the same events does nothing: they are marked.
    await expect(app.get(EventsDispatcher).dispatch(ids)).resolves.toBe(0);
    expect(enqueued.filter((id) => ids.includes(id))).toHaveLength(3);
  });

  it('events written while Redis is down are dispatched by the relay once it is back: none lost, none twice', async () => {
    // Two replicas, both relaying every 100 ms, taking events older than 300 ms.
    const [a, b] = [await boot({ relayEveryMs: 100, relayAfterMs: 300 }), await boot({ relayEveryMs: 100, relayAfterMs: 300 })];
    await redis.stop();

    // Written during the outage: the post-commit dispatch fails (quietly) and they stay undispatched.
    const during = await writeEvents(40);
    await expect(a.get(EventsDispatcher).dispatch(during.slice(0, 20))).resolves.toBe(0);
    await expect(b.get(EventsDispatcher).dispatch(during.slice(20))).resolves.toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the relays try, and fail, meanwhile
    expect(await undispatched(during)).toBe(40);

    // Some more, written in the past (a process that died between commit and dispatch long ago).
    const stranded = await writeEvents(1_100, new Date(Date.now() - 3_600_000));
    expect(await undispatched(stranded)).toBe(1_100);

    await redis.start(); // empty, as after a restart without persistence
    const all = [...during, ...stranded];
    await eventually(async () => (await undispatched(all)) === 0, 20_000, 'every event dispatched');
    await new Promise((resolve) => setTimeout(resolve, 500)); // a few more sweeps: nothing left to do

    // Counted in Redis: exactly one job per event, and no event handed to Redis twice by anyone.
    expect(await fanoutJobIds(a)).toEqual([...all].sort());
    const handed = enqueued.filter((id) => all.includes(id));
    expect(handed).toHaveLength(all.length);
    expect(new Set(handed).size).toBe(all.length);
  });

  it('a relay takes only events older than its delay, leaving fresh ones to the post-commit dispatch', async () => {
    // No timer: the test sweeps itself, so what the rows and Redis show is that sweep's doing.
    const app = await boot({ relayEveryMs: false, relayAfterMs: 2_000 });
    const fresh = await writeEvents(2);
    const old = await writeEvents(1, new Date(Date.now() - 60_000));
    await app.get(OutboxRelay).sweep();
    expect(await undispatched(fresh)).toBe(2);
    expect(await undispatched(old)).toBe(0);
    expect(await fanoutJobIds(app)).toEqual(old);

    await db.prisma.event.updateMany({ where: { id: { in: fresh } }, data: { occurredAt: new Date(Date.now() - 60_000) } });
    await app.get(OutboxRelay).sweep();
    expect(await undispatched(fresh)).toBe(0);
    expect(await fanoutJobIds(app)).toEqual([...old, ...fresh].sort());
  });

  it('an event whose fan-out job the queue lost before the fan-out finished is dispatched again; a live job or a finished fan-out is left alone', async () => {
    // The earlier tests' events were handed to queues of their own prefixes: their fan-outs count as done here.
    await db.prisma.event.updateMany({ where: { fanoutPending: true }, data: { fanoutPending: false } });
    const app = await boot({ relayEveryMs: false, refanoutAfterMs: 0 });
    const ids = await writeEvents(3);
    await app.get(EventsDispatcher).dispatch(ids);
    expect(await fanoutPending(ids)).toBe(3);

    // Their jobs wait in the queue: nothing to do.
    await expect(app.get(OutboxRelay).sweep()).resolves.toBe(0);
    expect(enqueued.filter((id) => ids.includes(id))).toHaveLength(3);

    // One fan-out finished (what AlertFanoutService marks); then the queue loses every job.
    await db.prisma.event.update({ where: { id: ids[2] }, data: { fanoutPending: false } });
    await redis.stop();
    await redis.start(); // empty, as after a restart without persistence
    // The producer's connection fails fast while it reconnects: read once it is back.
    await eventually(() => fanoutJobIds(app).then((jobs) => jobs.length === 0, () => false), 10_000, 'the queue reachable again, empty');

    // The two unfinished ones get their job again, the finished one does not.
    await expect(app.get(OutboxRelay).sweep()).resolves.toBe(2);
    expect(await fanoutJobIds(app)).toEqual([ids[0], ids[1]].sort());
    // Live again: a further sweep leaves them alone.
    await expect(app.get(OutboxRelay).sweep()).resolves.toBe(0);
    expect(enqueued.filter((id) => ids.includes(id))).toHaveLength(5);
  });

  it('a fan-out that finishes before its dispatch commits leaves the event finished, not pending again', async () => {
    const [id] = await writeEvents(1);
    const outbox = new EventsOutboxRepository(db.prisma as unknown as PrismaService);
    const alerts = new AlertDeliveriesRepository(db.prisma as unknown as PrismaService);
    /** The fan-out's statement waits for a row lock (the dispatch's FOR UPDATE): Postgres says so itself. */
    const waitingForLock = async () =>
      (await db.prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%fanoutPending%'`)[0].n > 0;
    let finished: Promise<void> | undefined;
    await outbox.takeBatch({ ids: [id] }, 10, async () => {
      // The interleaving of the race, made deterministic: the job was enqueued, a fast worker ran
      // the whole fan-out and marked it finished, and only then does the dispatch commit. Wait
      // until that mark has either been written or is blocked behind the dispatch's row lock.
      let done = false;
      finished = alerts.finishFanout(id).then(() => void (done = true));
      await eventually(async () => done || (await waitingForLock()), 10_000, 'the fan-out to finish or wait for the dispatch');
    });
    await finished;
    expect(await db.prisma.event.findUniqueOrThrow({ where: { id } })).toMatchObject({ dispatchedAt: expect.any(Date), fanoutPending: false });
  });
});
