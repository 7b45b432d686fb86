import { DynamicModule, Injectable, INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { ConfigModule, loadConfig } from '@pledgewatch/config';
import { createTestDatabase, TestDatabase } from '../../../test/support/database';
import { queueEnv, removeTestQueues } from '../../../test/support/queue-backend';
import { JOB_NAMES, JobName } from './job-catalog';
import { JOB_HANDLER, JobCatalogError } from './job-handler';
import { JobQueues } from './job-queues';
import { QueueModule, QueueWorkersModule } from './queue.module';

const PREFIX = `test-jobworkers-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** What the handlers saw, by job name. */
const seen: { job: string; payload: unknown; by: string }[] = [];
/** The PostgreSQL backend keeps its queues in a database: this file's own. */
let db: TestDatabase;

/** A provider with one @JobHandler method for `name` (built at run time, one class per job). */
function handlerFor(name: JobName, tag = 'main'): Type {
  @Injectable()
  class Handler {
    async handle(payload: unknown) {
      seen.push({ job: name, payload, by: tag });
      return { ok: true };
    }
  }
  Reflect.defineMetadata(JOB_HANDLER, name, Handler.prototype.handle);
  Object.defineProperty(Handler, 'name', { value: `Handler_${name.replace('.', '_')}_${tag}` });
  return Handler;
}

@Module({})
class Harness {
  static with(handlers: Type[]): DynamicModule {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error', DATABASE_URL: db.url, ...queueEnv(db.url, PREFIX), QUEUE_PREFIX: PREFIX });
    return { module: Harness, imports: [ConfigModule.forRoot(config), QueueModule.forRoot(), QueueWorkersModule], providers: handlers };
  }
}

async function boot(handlers: Type[]): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(Harness.with(handlers), { logger: false, abortOnError: false });
}

describe('JobWorkers', () => {
  beforeAll(async () => {
    db = await createTestDatabase('pw_jobworkers');
  });
  afterAll(async () => {
    await removeTestQueues(PREFIX);
    await db?.drop();
  });

  it('refuses to start when a catalog job has no handler, naming it', async () => {
    const [missing, ...rest] = JOB_NAMES;
    const error = await boot(rest.map((name) => handlerFor(name))).then(
      async (app) => {
        await app.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JobCatalogError);
    expect((error as Error).message).toContain(`"${missing}" has no handler`);
  });

  it('refuses to start when a job has two handlers, naming both', async () => {
    const [twice] = JOB_NAMES;
    const handlers = [...JOB_NAMES.map((name) => handlerFor(name)), handlerFor(twice, 'again')];
    await expect(boot(handlers)).rejects.toThrow(new RegExp(`"${twice.replace('.', '\\.')}" has 2 handlers`));
  });

  it('routes every job to the handler of its name, with its payload', async () => {
    const app = await boot(JOB_NAMES.map((name) => handlerFor(name)));
    try {
      const jobs = app.get(JobQueues);
      await jobs.add('events.fanout', { payload: { eventId: 'e-1' }, jobId: 'e-1' });
      await jobs.add('status.check', { payload: { slot: '2026-11-28T07:00Z', asOf: '2026-11-28T07:00:00.000Z' }, jobId: 'check-2026-11-28T0700Z' });
      const deadline = Date.now() + 10_000;
      while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toEqual(
        expect.arrayContaining([
          { job: 'events.fanout', payload: { eventId: 'e-1' }, by: 'main' },
          { job: 'status.check', payload: { slot: '2026-11-28T07:00Z', asOf: '2026-11-28T07:00:00.000Z' }, by: 'main' },
        ]),
      );
    } finally {
      await app.close();
    }
  });
});
