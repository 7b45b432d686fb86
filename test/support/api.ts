import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@pledgewatch/config';
import { createApiApp } from '../../apps/api/src/bootstrap';

/** The real HTTP app, booted on a test database; drive it with supertest(app.getHttpServer()). */
export async function bootApi(databaseUrl: string, env: Record<string, string> = {}): Promise<INestApplication> {
  const config = loadConfig({
    NODE_ENV: 'test',
    SCHEDULES_ENABLED: 'false',
    LOG_LEVEL: 'error',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ...env,
  });
  const app = await createApiApp(config);
  await app.init();
  return app;
}
