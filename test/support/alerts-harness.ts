import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@pledgewatch/config';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { queueEnv } from './queues';

export { dropQueueKeys, REDIS_URL, testQueuePrefix } from './queues';

/** The environment the API and the worker of one test file share. */
export function testEnv(databaseUrl: string, queuePrefix: string, smtpUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    SCHEDULES_ENABLED: 'false',
    LOG_LEVEL: 'error',
    DATABASE_URL: databaseUrl,
    ...queueEnv(databaseUrl, queuePrefix),
    QUEUE_PREFIX: queuePrefix,
    SMTP_URL: smtpUrl,
    PUBLIC_BASE_URL: 'http://pledgewatch.test',
    ...extra,
  };
}

/** The real worker app (every processor, every queue), in this process. */
export async function bootWorker(env: Record<string, string>): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig(env)), { logger: ['error'] });
  await app.init();
  return app;
}

export { eventually, settle } from './eventually';
