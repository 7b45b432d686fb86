import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@pledgewatch/config';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { queueEnv } from './queues';

/** The real HTTP app, booted on a test database; drive it with supertest(app.getHttpServer()). */
export async function bootApi(databaseUrl: string, env: Record<string, string> = {}): Promise<INestApplication> {
  const config = loadConfig({
    NODE_ENV: 'test',
    SCHEDULES_ENABLED: 'false',
    LOG_LEVEL: 'error',
    DATABASE_URL: databaseUrl,
    ...queueEnv(databaseUrl, env.QUEUE_PREFIX),
    ...env,
  });
  const app = await createApiApp(config);
  await app.init();
  return app;
}
