import { DynamicModule, Injectable, INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { ConfigModule, loadConfig } from '@pledgewatch/config';
import { createTestDatabase, TestDatabase } from '../../../test/support/database';
import { dropQueueKeys, queueEnv } from '../../../test/support/queues';
import { JOB_NAMES, JobName, JobPayloads } from './job-catalog';
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
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the method is a metadata target, never called from here
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
    await dropQueueKeys(PREFIX);
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
      // One payload per job of the catalog: a job added to the catalog without an entry here fails to type-check.
      const payloads: { [N in JobName]: JobPayloads[N] } = {
        'events.fanout': { eventId: 'e-1' },
        'status.check': { slot: '2026-11-28T07:00Z', asOf: '2026-11-28T07:00:00.000Z' },
        'email.send': { deliveryId: 'd-1' },
        'email.sendBatch': { deliveryIds: ['d-2', 'd-3'] },
        'digest.run': { slot: '2026-11-29T23:00:00.000Z' },
        'webhook.send': { deliveryId: 'w-1' },
        'privacy.erase': { slot: '2026-12-07T21:00:00.000Z' },
      };
      for (const name of JOB_NAMES) await jobs.add(name, { payload: payloads[name] as never, jobId: `routes-${name.replace('.', '-')}` });
      const deadline = Date.now() + 10_000;
      while (seen.length < JOB_NAMES.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen.sort((a, b) => a.job.localeCompare(b.job))).toEqual(
        [...JOB_NAMES].sort().map((job) => ({ job, payload: payloads[job], by: 'main' })),
      );
    } finally {
      await app.close();
    }
  });
});
