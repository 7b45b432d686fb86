import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@pledgewatch/config';
import { checkJobId, JobQueues, QUEUES } from '@pledgewatch/queue';
import { StatusCheckSchedule } from '../apps/worker/src/status/status-check.schedule';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { dropQueueKeys, queueEnv, REDIS_URL, testQueuePrefix } from './support/queues';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';
import { utcDay } from './support/status-harness';
import { eventually } from './support/eventually';

/**
 * Two worker processes' worth of app contexts on one database and one queue prefix, as two
 * replicas would be: whatever their schedulers do in the same slot, the check runs once.
 */
describe('status check across replicas', () => {
  let db: TestDatabase;
  const replicas: INestApplicationContext[] = [];

  const bootReplica = async (prefix: string, env: Record<string, string>) => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error', SCHEDULES_ENABLED: 'false', DATABASE_URL: db.url, ...queueEnv(db.url, prefix), QUEUE_PREFIX: prefix, ...env });
    const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, { relayEveryMs: false }), { logger: ['error'] });
    replicas.push(app);
    return app;
  };
  const closeReplicas = async () => {
    await Promise.all(replicas.splice(0).map((app) => app.close()));
  };

  beforeAll(async () => {
    db = await createTestDatabase('pw_status_slots');
  });
  afterEach(closeReplicas);
  afterAll(async () => {
    await closeReplicas();
    await db?.drop();
  });

  it('both schedulers fire in the same slot: one job, one check run, one set of events', async () => {
    const prefix = testQueuePrefix('slots');
    try {
      await factories(db.prisma).workstream({
        slug: 'joint-exercise',
        createdAt: utcDay(-100),
        milestones: [{ dateBasis: 'planned', title: 'Exercise held', dueDate: utcDay(-30), status: 'in_progress' }],
      });
      const [a, b] = [await bootReplica(prefix, {}), await bootReplica(prefix, {})];
      const firedAt = new Date();
      const [slotA, slotB] = await Promise.all([
        a.get(StatusCheckSchedule).enqueue(firedAt),
        b.get(StatusCheckSchedule).enqueue(new Date(firedAt.getTime() + 250)),
      ]);
      expect(slotB).toBe(slotA);

      const run = await eventually(() => db.prisma.statusCheckRun.findUnique({ where: { slot: slotA } }), 15_000, 'the check run');
      expect(run).toMatchObject({ trigger: 'schedule', milestonesOverdue: 1, healthChanged: 1, events: 2 });
      const queue = a.get(JobQueues).queue(QUEUES.status);
      await eventually(async () => (await queue.getJobState(checkJobId(slotA))) === 'completed', 15_000, 'the job to complete');

      // A late third enqueue of the same slot (say a replica that started a second late) is a no-op too.
      await b.get(StatusCheckSchedule).enqueue(new Date(firedAt.getTime() + 500));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const counts = await queue.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed');
      expect(counts).toEqual({ completed: 1, waiting: 0, active: 0, delayed: 0, failed: 0 });
      expect(await db.prisma.statusCheckRun.count({ where: { slot: slotA } })).toBe(1);
      expect(await db.prisma.event.count({ where: { actor: 'status-check' } })).toBe(2);
    } finally {
      await closeReplicas();
      await dropQueueKeys(prefix, REDIS_URL);
    }
  });

  it('with real crons ticking every second on both replicas, every slot is checked exactly once', async () => {
    const prefix = testQueuePrefix('cron');
    try {
      await factories(db.prisma).workstream({
        slug: 'energy-transition',
        createdAt: utcDay(-100),
        milestones: [{ dateBasis: 'planned', title: 'Plan adopted', dueDate: utcDay(-3), status: 'not_started' }],
      });
      const eventsBefore = await db.prisma.event.count();
      const since = new Date();
      // Schedules on, the check's every second; the digest's once a year, out of the way.
      const env = { SCHEDULES_ENABLED: 'true', CHECK_CRON: '* * * * * *', DIGEST_CRON: '0 0 1 1 *' };
      await Promise.all([bootReplica(prefix, env), bootReplica(prefix, env)]);
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      await closeReplicas(); // stops the crons and lets running checks finish

      const runs = await db.prisma.statusCheckRun.findMany({ where: { trigger: 'schedule', startedAt: { gte: since } } });
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(new Set(runs.map((r) => r.slot)).size).toBe(runs.length);
      // One slot found the change (overdue + health); every other one nothing.
      expect(runs.map((r) => r.events).sort()).toEqual([...runs.slice(1).map(() => 0), 2]);
      expect((await db.prisma.event.count()) - eventsBefore).toBe(2);
    } finally {
      await closeReplicas();
      await dropQueueKeys(prefix, REDIS_URL);
    }
  });
});
