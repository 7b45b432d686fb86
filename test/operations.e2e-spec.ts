import request from 'supertest';
import { INestApplication, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { loadConfig } from '@pledgewatch/config';
import { ObservabilityModule, ReadinessChecks, startOpsServer } from '@pledgewatch/observability';
import { JobQueues } from '@pledgewatch/queue';
import { createApiApp } from '../apps/api/src/bootstrap';
import { bearer, insertApiKey } from './support/admin';
import { dropQueueKeys, TEST_QUEUE_INDICATOR, testQueuePrefix } from './support/queues';
import { eventually, testEnv } from './support/alerts-harness';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { launchChromium } from './support/chromium';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';
import { freePort } from './support/redis-server';
import { startSmtpSink, SmtpSink } from './support/smtp-sink';

const SCREENSHOTS = path.resolve(__dirname, 'artifacts/screenshots');
const METRICS_TOKEN = 'metrics-token-for-the-test-0123';

type Family = { name: string; metrics: { value?: string; labels?: Record<string, string> }[] };
const counter = (families: Family[], name: string, labels: Record<string, string>) =>
  Number(families.find((f) => f.name === name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? 0);

describe('Operations: health, metrics, logs, queue dashboard', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let app: INestApplication;
  let worker: INestApplicationContext;
  let workerOps: Server;
  let baseUrl: string;
  let workerEnv: Record<string, string>;
  const logLines: string[] = [];
  const prefix = testQueuePrefix('ops');

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase();
    sink = await startSmtpSink();
    const env = testEnv(db.url, prefix, sink.url, { LOG_LEVEL: 'log', METRICS_TOKEN });
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    app = await createApiApp(loadConfig(env), { logDestination: destination });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as { port: number }).port}`;
    workerEnv = { ...env, LOG_LEVEL: 'error' };
    @Module({ imports: [WorkerModule.forRoot(loadConfig(workerEnv)), ObservabilityModule] })
    class WorkerWithOps {}
    worker = await NestFactory.createApplicationContext(WorkerWithOps, { logger: ['error'] });
    await worker.init();
  });
  afterAll(async () => {
    workerOps?.close();
    await worker?.close();
    await app?.close();
    await sink?.close();
    await dropQueueKeys(prefix).catch(() => undefined);
    await db.drop();
  });

  // The outage half (503 naming redis, then 200) is test/readiness-outage.e2e-spec.ts, Redis project only.
  it('/health/live and /health/ready answer, naming PostgreSQL and this run\'s queue backend', async () => {
    const http = () => request(app.getHttpServer());
    await http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.info).toEqual({ postgres: { status: 'up' }, [TEST_QUEUE_INDICATOR]: { status: 'up' } });
    expect((await http().get('/v1/status').expect(200)).body.info).toEqual(ready.body.info);
  });

  it('serves Prometheus metrics behind METRICS_TOKEN, and the delivery counter moves by one for one alert', async () => {
    await request(app.getHttpServer()).get('/metrics').expect(401);
    const api = await request(app.getHttpServer()).get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
    expect(api.headers['content-type']).toMatch(/^text\/plain/);
    const names = (parsePrometheusTextFormat(api.text) as Family[]).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['http_request_duration_seconds', 'pledgewatch_queue_jobs', 'pledgewatch_outbox_backlog', 'process_cpu_seconds_total']));

    const port = await freePort();
    workerOps = await startOpsServer(loadConfig(workerEnv), worker.get(ReadinessChecks), ['postgres', 'queue', 'smtp'], port);
    const scrape = async () => parsePrometheusTextFormat((await request(`http://127.0.0.1:${port}`).get('/metrics').set(bearer(METRICS_TOKEN)).expect(200)).text) as Family[];
    const before = counter(await scrape(), 'pledgewatch_deliveries_total', { kind: 'alert', status: 'sent' });

    const f = factories(db.prisma);
    await f.country('PH', 'Philippines');
    const workstream = await f.workstream({ countries: ['PH'] });
    const event = await f.event(workstream.id, { type: 'workstream.stage_changed', occurredAt: new Date(), from: 'pipeline', to: 'implementation' });
    const subscriber = await db.prisma.subscriber.create({ data: { email: 'metrics@example.org', state: 'active', confirmedAt: new Date() } });
    const delivery = await db.prisma.delivery.create({ data: { kind: 'alert', subscriberId: subscriber.id, eventId: event.id } });
    await worker.get(JobQueues).add('email.send', { payload: { deliveryId: delivery.id }, jobId: delivery.id });
    await eventually(async () => (await db.prisma.delivery.findUniqueOrThrow({ where: { id: delivery.id } })).status === 'sent', 20_000);

    const after = await scrape();
    // Kept for docs/operations.md and reviewers: what a scrape of the worker looks like.
    writeFileSync(path.join(__dirname, 'artifacts/metrics-sample.txt'), (await request(`http://127.0.0.1:${port}`).get('/metrics').set(bearer(METRICS_TOKEN))).text);
    expect(counter(after, 'pledgewatch_deliveries_total', { kind: 'alert', status: 'sent' })).toBe(before + 1);
    expect(after.find((f) => f.name === 'pledgewatch_email_send_duration_seconds')).toBeDefined();
    const ready = await request(`http://127.0.0.1:${port}`).get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ postgres: { status: 'up' }, [TEST_QUEUE_INDICATOR]: { status: 'up' }, smtp: { status: 'up' } });
  });

  it('logs one JSON line per request with its request id, and none of token, Authorization or email', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/subscriptions/manage?token=confirm-token-s3cr3t-value')
      .set('Authorization', 'Bearer pw_leaky_api_key_value_0123456789')
      .set('Accept', 'application/json')
      .send({ email: 'leaky.person@example.org' })
      .expect(400);
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.requestId).toBe(requestId);
    await eventually(async () => logLines.some((line) => line.includes(requestId)), 5_000).catch((error: Error) => {
      throw new Error(`${error.message}; captured: ${logLines.slice(-5).join("\n")}`);
    });
    const lines = logLines.filter((line) => line.includes(requestId)).map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLine = lines.find((line) => (line.res as { statusCode?: number } | undefined)?.statusCode === 400);
    expect(requestLine).toMatchObject({ requestId, req: { method: 'POST' } });
    const all = logLines.join('\n');
    for (const secret of ['confirm-token-s3cr3t-value', 'pw_leaky_api_key_value_0123456789', 'leaky.person@example.org']) expect(all).not.toContain(secret);

    const mine = await request(app.getHttpServer()).get('/v1/nope').set('X-Request-Id', 'trace-abc-123').expect(404);
    expect(mine.headers['x-request-id']).toBe('trace-abc-123');
    expect(mine.body.requestId).toBe('trace-abc-123');
  });

  it('shows Bull Board at /admin/queues to admins only (401 without a key, 403 for an editor), in Chromium', async () => {
    const admin = await insertApiKey(db.prisma, 'ops admin', 'admin');
    const editor = await insertApiKey(db.prisma, 'ops editor', 'editor');
    const basic = (key: string) => `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`;
    mkdirSync(SCREENSHOTS, { recursive: true });
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      // Through the browser's own network stack (a navigation would open Chromium's sign-in prompt).
      const anonymous = await page.request.get(`${baseUrl}/admin/queues`);
      expect(anonymous.status()).toBe(401);
      expect(anonymous.headers()['www-authenticate']).toMatch(/^Basic realm=/);
      expect((await page.request.get(`${baseUrl}/admin/queues`, { headers: { Authorization: basic(editor.key) } })).status()).toBe(403);
      await page.setExtraHTTPHeaders({ Authorization: basic(admin.key) });
      expect((await page.goto(`${baseUrl}/admin/queues`))?.status()).toBe(200);
      for (const queue of ['status', 'events', 'email', 'digest']) await page.getByRole('link', { name: new RegExp(`^${queue}`, 'i') }).first().waitFor({ timeout: 15_000 });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'queue-dashboard.png'), fullPage: true });

      await page.setExtraHTTPHeaders({});
      expect((await page.goto(`${baseUrl}/docs`))?.status()).toBe(200);
      await page.getByText('Pledgewatch API').first().waitFor({ timeout: 15_000 });
      await page.getByText('/v1/workstreams/{slug}').first().waitFor({ timeout: 15_000 });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'api-docs.png') });
    } finally {
      await browser.close();
    }
  });
});
