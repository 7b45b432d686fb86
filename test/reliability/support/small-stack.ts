import { createTestDatabase, type TestDatabase } from '../../support/database';
import { freePort, TestRedis } from '../../support/redis-server';
import type { QueueBackend } from './backends';
import { insertReference } from './fixtures';
import { MailSink, type MailSinkOptions } from './mail-sink';
import { ApiProcess, stackEnv, WorkerProcess } from './stack';

/** A trial that breaks nothing but the API: its own database clone, Redis, SMTP sink, API and (optionally) worker. */
export class SmallStack {
  db!: TestDatabase;
  redis?: TestRedis;
  readonly sink: MailSink;
  api!: ApiProcess;
  worker?: WorkerProcess;
  env: Record<string, string> = {};

  constructor(
    readonly backend: QueueBackend = 'redis',
    private readonly options: { worker?: boolean; env?: Record<string, string>; sink?: MailSinkOptions } = {},
  ) {
    this.sink = new MailSink(options.sink);
  }

  async start(): Promise<void> {
    this.db = await createTestDatabase('pw_rel');
    await insertReference(this.db.url);
    if (this.backend === 'redis') {
      this.redis = new TestRedis(await freePort());
      await this.redis.start();
    }
    await this.sink.start();
    const env = (this.env = stackEnv({ backend: this.backend, databaseUrl: this.db.url, redisUrl: this.redis?.url, smtpUrl: this.sink.url }, this.options.env));
    this.api = await ApiProcess.create(env);
    if (this.options.worker) this.worker = new WorkerProcess(env);
    await Promise.all([this.api.start(), this.worker?.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.api?.kill(), this.worker?.kill()]);
    await this.redis?.stop();
    await this.sink.stop();
    await this.db?.drop();
  }
}

/** The app's own route table, as Nest printed it at start (`Mapped {/v1/…, POST} route`). */
export function routeTable(apiLogs: string): { method: string; path: string }[] {
  const routes = [...apiLogs.matchAll(/Mapped \{([^,}]+), (\w+)\}/g)].map(([, path, method]) => ({ method, path }));
  return routes.filter((r, i) => routes.findIndex((o) => o.method === r.method && o.path === r.path) === i);
}
