import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { bootApi } from './support/api';
import { createTestDatabase, TestDatabase } from './support/database';
import { dropQueueKeys, testQueuePrefix } from './support/queues';

/**
 * TRUST_PROXY decides who may name the client in X-Forwarded-For, and so whose bucket the
 * subscribe limiter counts a request in. supertest connects from loopback, as a local proxy would.
 */
describe('TRUST_PROXY', () => {
  let db: TestDatabase;
  const apps: INestApplication[] = [];
  const prefixes: string[] = [];

  const boot = async (trustProxy: string | undefined) => {
    const prefix = testQueuePrefix('trust');
    prefixes.push(prefix);
    const app = await bootApi(db.url, { QUEUE_PREFIX: prefix, SUBSCRIBE_LIMIT_PER_IP: '2/60', ...(trustProxy ? { TRUST_PROXY: trustProxy } : {}) });
    apps.push(app);
    // An empty body is refused (400) after the per-client limit has counted it: 2 then 429.
    return (forwardedFor?: string) => {
      const req = request(app.getHttpServer()).post('/v1/subscriptions').send({});
      return (forwardedFor ? req.set('X-Forwarded-For', forwardedFor) : req).then((res) => res.status);
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const prefix of prefixes) await dropQueueKeys(prefix);
    await db?.drop();
  });

  it('loopback (the default): a local proxy names each client, who gets a bucket of their own', async () => {
    const post = await boot(undefined);
    expect([await post('192.0.2.1'), await post('192.0.2.1'), await post('192.0.2.1')]).toEqual([400, 400, 429]);
    expect(await post('192.0.2.2')).toBe(400);
  });

  it('false: X-Forwarded-For is ignored, every request counts as the connecting address', async () => {
    const post = await boot('false');
    expect([await post('192.0.2.1'), await post('192.0.2.2'), await post('192.0.2.3')]).toEqual([400, 400, 429]);
  });

  it('a hop count: the client is the address that many hops back, whatever a client prepends', async () => {
    const post = await boot('1');
    expect([await post('203.0.113.9, 192.0.2.1'), await post('203.0.113.10, 192.0.2.1'), await post('192.0.2.1')]).toEqual([400, 400, 429]);
    expect(await post('192.0.2.2')).toBe(400);
  });

  it('addresses and CIDRs: only a listed proxy is believed', async () => {
    const post = await boot('10.0.0.0/8');
    // The connection comes from 127.0.0.1, which is not listed: its X-Forwarded-For is ignored.
    expect([await post('192.0.2.1'), await post('192.0.2.2'), await post('192.0.2.3')]).toEqual([400, 400, 429]);
  });
});
