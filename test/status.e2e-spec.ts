import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { bootApi } from './support/api';
import { createTestDatabase, TestDatabase } from './support/database';

describe('HTTP basics', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootApi(db.url, { BODY_LIMIT: '1kb' });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('answers liveness, and readiness (also at /v1/status, its alias) naming what it checked', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok' });
    for (const path of ['/health/ready', '/v1/status']) {
      const res = await request(app.getHttpServer()).get(path).expect(200);
      expect(res.body).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } } });
    }
  });

  it('answers an unknown route with problem+json 404', async () => {
    const res = await request(app.getHttpServer()).get('/v1/nope').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('answers malformed JSON with 400 malformed_request', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/status')
      .set('content-type', 'application/json')
      .send('{"broken"')
      .expect(400);
    expect(res.body.code).toBe('malformed_request');
  });

  it('answers a body over the limit with 413', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/status')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ big: 'x'.repeat(4096) }))
      .expect(413);
    expect(res.body.code).toBe('payload_too_large');
  });
});
