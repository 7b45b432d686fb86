import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { JobQueues, QUEUES } from '@pledgewatch/queue';
import { insertApiKey } from './support/admin';
import { bootApi } from './support/api';
import { createTestDatabase, TestDatabase } from './support/database';
import { dropQueueKeys, testQueuePrefix } from './support/queues';

const BASE = 'https://pledgewatch.example';
const basic = (key: string) => `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`;

/**
 * The queue dashboard (Bull Board at /admin/queues) changes nothing unless QUEUE_DASHBOARD=full,
 * and then only for a request from the service's own origin: cached Basic credentials ride along
 * with any other site's form or fetch.
 */
describe('Queue dashboard writes', () => {
  let db: TestDatabase;
  let readOnly: INestApplication;
  let full: INestApplication;
  let auth: string;
  const prefixes = [testQueuePrefix('dash-ro'), testQueuePrefix('dash-full')];

  beforeAll(async () => {
    db = await createTestDatabase();
    readOnly = await bootApi(db.url, { QUEUE_PREFIX: prefixes[0], PUBLIC_BASE_URL: BASE });
    full = await bootApi(db.url, { QUEUE_PREFIX: prefixes[1], PUBLIC_BASE_URL: `${BASE}/`, QUEUE_DASHBOARD: 'full' });
    auth = basic((await insertApiKey(db.prisma, 'dashboard admin', 'admin')).key);
  });

  afterAll(async () => {
    await readOnly?.close();
    await full?.close();
    for (const prefix of prefixes) await dropQueueKeys(prefix);
    await db?.drop();
  });

  const isPaused = (app: INestApplication) => app.get(JobQueues).queue(QUEUES.status).isPaused();

  it('is read-only by default: reads answer, every write is 403 with a stable code, and nothing changes', async () => {
    const http = () => request(readOnly.getHttpServer());
    await http().get('/admin/queues/api/queues').set('Authorization', auth).expect(200);
    for (const [method, path] of [
      ['put', `/admin/queues/api/queues/${QUEUES.status}/pause`],
      ['post', `/admin/queues/api/queues/${QUEUES.status}/add`],
      ['put', '/admin/queues/api/queues/pause'],
      ['delete', `/admin/queues/api/queues/${QUEUES.status}/obliterate`],
    ] as const) {
      const res = await http()[method](path).set('Authorization', auth).set('Origin', BASE).send({});
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 403, code: 'queue_dashboard_read_only' });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(await isPaused(readOnly)).toBe(false);
  });

  it('with QUEUE_DASHBOARD=full, accepts a write from its own origin only, and never job data', async () => {
    const http = () => request(full.getHttpServer());
    const pause = `/admin/queues/api/queues/${QUEUES.status}/pause`;
    // Another site's page, or no Origin at all: refused before anything runs.
    for (const origin of ['https://evil.example', 'http://pledgewatch.example', 'https://pledgewatch.example:8443', 'null', undefined]) {
      const req = http().put(pause).set('Authorization', auth);
      const res = await (origin === undefined ? req : req.set('Origin', origin));
      expect({ origin, status: res.status, code: res.body.code }).toEqual({ origin, status: 403, code: 'origin_mismatch' });
    }
    expect(await isPaused(full)).toBe(false);

    await http().put(pause).set('Authorization', auth).set('Origin', BASE).expect(200);
    expect(await isPaused(full)).toBe(true);
    await http().put(`/admin/queues/api/queues/${QUEUES.status}/resume`).set('Authorization', auth).set('Origin', BASE).expect(200);
    expect(await isPaused(full)).toBe(false);

    // A job made here would skip the API's checks (POST /v1/admin/checks refuses a real check as of a future date).
    const add = await http()
      .post(`/admin/queues/api/queues/${QUEUES.status}/add`)
      .set('Authorization', auth)
      .set('Origin', BASE)
      .send({ name: 'status.check', data: { asOf: '2099-01-01', dryRun: false } });
    expect(add.status).toBe(403);
    expect(add.body.code).toBe('queue_dashboard_job_data');
    expect(await full.get(JobQueues).queue(QUEUES.status).count()).toBe(0);
  });
});
