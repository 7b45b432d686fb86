import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { bootApi } from './support/api';
import { eventually } from './support/eventually';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { createTestDatabase, TestDatabase } from './support/database';
import { freePort, TestRedis } from './support/redis-server';

/**
 * Readiness through a Redis outage: the test's own Redis server, stopped and started again. Redis
 * project only (jest.config.js): on the PostgreSQL queue backend the queues live in the database
 * itself, and test/operations.e2e-spec.ts checks readiness names `postgres-queues` there.
 */
describe('/health/ready through a Redis outage', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let app: INestApplication;
  const prefix = testQueuePrefix('readiness');

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = new TestRedis(await freePort());
    await redis.start();
    app = await bootApi(db.url, { QUEUE_BACKEND: 'redis', REDIS_URL: redis.url, QUEUE_PREFIX: prefix });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
    await dropQueueKeys(prefix, redis.url).catch(() => undefined);
    await db?.drop();
  });

  it('answers 503 naming redis while its Redis is down, and 200 when it is back', async () => {
    const http = () => request(app.getHttpServer());
    await http().get('/health/live').expect(200, { status: 'ok' });
    await http().get('/health/ready').expect(200);
    await redis.stop();
    const down = await http().get('/health/ready').expect(503);
    expect(down.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(down.body).toMatchObject({ status: 503, code: 'not_ready', down: ['redis'], checks: { error: { redis: { status: 'down' } } } });
    expect(down.body.detail).toContain('redis');
    expect(down.body.checks.info.postgres.status).toBe('up');
    await redis.start();
    await eventually(async () => (await http().get('/health/ready')).status === 200, 20_000);
  });
});
