import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { bearer, insertApiKey, insertReferenceData } from './support/admin';
import { bootWorker, dropQueueKeys, eventually, settle, testEnv, testQueuePrefix } from './support/alerts-harness';
import { DeliveryReconciler } from '@pledgewatch/deliveries';
import { JobQueues, QUEUES } from '@pledgewatch/queue';
import { bootApi } from './support/api';
import { ResponseContract } from './support/contract';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories, uniqueSlug } from './support/factories';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { startWebhookReceiver, WebhookReceiver, ReceivedWebhook } from './support/webhook-receiver';

const BASE = 'http://pledgewatch.test';

const signed = (hook: ReceivedWebhook) => ({
  'webhook-id': String(hook.headers['webhook-id']),
  'webhook-timestamp': String(hook.headers['webhook-timestamp']),
  'webhook-signature': String(hook.headers['webhook-signature']),
});

/** The body with one byte changed. */
function tampered(body: string): string {
  const bytes = Buffer.from(body, 'utf8');
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  return bytes.toString('utf8');
}

/**
 * Webhooks end to end: the booted API registers endpoints, the booted worker fans events out to
 * them and POSTs each, signed, to a real HTTP receiver on loopback; retries, permanent failures,
 * the delivery log, manual retry, rotation, disabling after the retry span, and the SSRF guard
 * in production mode. Backoff 100 ms and a 3 s span keep it quick: the same code as 60 s and 24 h.
 */
describe('webhooks: signed Standard Webhooks delivery through the queued pipeline', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let receiver: WebhookReceiver;
  let api: INestApplication;
  let production: INestApplication;
  let worker: INestApplicationContext;
  let contract: ResponseContract;
  let adminKey: string;
  const queuePrefix = testQueuePrefix('webhooks');

  beforeAll(async () => {
    db = await createTestDatabase('pw_webhooks');
    await insertReferenceData(db.prisma);
    sink = await startSmtpSink();
    receiver = await startWebhookReceiver();
    const env = testEnv(db.url, queuePrefix, sink.url, { PUBLIC_BASE_URL: BASE, WEBHOOK_BACKOFF_MS: '100', WEBHOOK_RETRY_SPAN: '3s', WEBHOOK_TIMEOUT_MS: '2000' });
    api = await bootApi(db.url, env);
    production = await bootApi(db.url, { ...env, NODE_ENV: 'production', LINK_SECRET: 'webhooks-e2e-link-secret-of-at-least-32-chars' });
    worker = await bootWorker(env);
    contract = ResponseContract.attach(api);
    adminKey = (await insertApiKey(db.prisma, 'Webhook admin', 'admin')).key;
  });

  afterAll(async () => {
    await api?.close();
    await production?.close();
    await worker?.close();
    await receiver?.close();
    await sink?.close();
    await dropQueueKeys(queuePrefix);
    await db?.drop();
  });

  afterEach(() => expect(contract.violations).toEqual([]));

  /** A sector of the test's own, so no other test's endpoint matches its events. */
  const ownSector = async () => (await factories(db.prisma).sector(uniqueSlug('hooks'))).slug;

  async function register(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const res = await request(api.getHttpServer()).post('/v1/admin/webhooks').set(bearer(adminKey)).send(body).expect(201);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    return res.body;
  }

  /** An editor's new workstream: its `workstream.created` event goes to every matching endpoint. */
  async function createWorkstream(countries: string[], sectors: string[]): Promise<{ id: string; slug: string; title: string }> {
    const res = await request(api.getHttpServer())
      .post('/v1/admin/workstreams')
      .set(bearer(adminKey))
      .send({ title: `Coastal radar ${uniqueSlug('t')}`, summary: 'Radars for the coast guard.', summit: 'test-summit', countries, sectors, instrument: 'osa', stage: 'implementation' })
      .expect(201);
    return res.body;
  }

  const eventsOf = (workstreamId: string) => db.prisma.event.findMany({ where: { workstreamId } });
  const deliveriesOf = (endpointId: string) => db.prisma.delivery.findMany({ where: { webhookEndpointId: endpointId } });
  const detail = async (id: string) => (await request(api.getHttpServer()).get(`/v1/admin/webhooks/${id}`).set(bearer(adminKey)).expect(200)).body;

  it('registers an endpoint, shows the secret once, and POSTs a matching event signed per Standard Webhooks', async () => {
    const sector = await ownSector();
    const endpoint = await register({ url: receiver.url('/signed'), topics: { sectors: [sector] }, description: 'Newsroom desk' });

    const listed = await request(api.getHttpServer()).get('/v1/admin/webhooks').set(bearer(adminKey)).expect(200);
    const mine = listed.body.items.find((item: { id: string }) => item.id === endpoint.id);
    expect(mine).toMatchObject({ url: receiver.url('/signed'), description: 'Newsroom desk', topics: { sectors: [sector], countries: [], intersections: [], workstreams: [] }, eventTypes: [], enabled: true });
    expect(JSON.stringify(listed.body)).not.toContain(endpoint.secret);

    const workstream = await createWorkstream(['PH'], [sector]);
    const [hook] = await receiver.waitFor('/signed', 1);
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(hook.headers['webhook-id']).toBe(delivery.id);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(Number(hook.headers['webhook-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);

    // The receiver's side: the standardwebhooks library verifies it, and refuses it with one byte changed.
    const payload = new Webhook(endpoint.secret).verify(hook.body, signed(hook)) as Record<string, any>;
    expect(() => new Webhook(endpoint.secret).verify(tampered(hook.body), signed(hook))).toThrow(/signature/i);

    expect(payload).toMatchObject({
      type: 'workstream.created',
      data: {
        type: 'workstream.created',
        workstream: { id: workstream.id, slug: workstream.slug, title: workstream.title },
        countries: [{ code: 'PH', name: 'Philippines' }],
        sectors: [{ slug: sector, name: `Sector ${sector}` }],
        milestone: null,
        links: {
          workstream: `${BASE}/workstreams/${workstream.slug}`,
          api: `${BASE}/v1/workstreams/${workstream.slug}`,
          atom: `${BASE}/v1/feeds/events.atom?workstream=${workstream.slug}`,
          calendar: `${BASE}/v1/feeds/milestones.ics?workstream=${workstream.slug}`,
        },
      },
    });
    const [event] = await eventsOf(workstream.id);
    expect(payload.data.id).toBe(event.id);
    expect(payload.timestamp).toBe(event.occurredAt.toISOString());

    await eventually(async () => (await db.prisma.delivery.findUnique({ where: { id: delivery.id } }))?.status === 'sent', 10_000, 'the delivery sent');
    const shown = await detail(endpoint.id);
    expect(shown).not.toHaveProperty('secret');
    expect(shown.deliveries).toEqual([expect.objectContaining({ id: delivery.id, status: 'sent', attempts: 1, log: [expect.objectContaining({ attempt: 1, statusCode: 200, responseBody: 'ok', nextAttemptAt: null })] })]);
  });

  it('delivers an event once to an endpoint that follows two of its topics (country, sector and their intersection)', async () => {
    const sector = await ownSector();
    const endpoint = await register({ url: receiver.url('/twice'), topics: { sectors: [sector], intersections: [{ country: 'VN', sector }], workstreams: [] } });
    const workstream = await createWorkstream(['VN'], [sector]);
    const events = await eventsOf(workstream.id);

    await receiver.waitFor('/twice', events.length);
    await settle(1_000);
    const hooks = receiver.received('/twice');
    expect(hooks).toHaveLength(events.length);
    expect(new Set(hooks.map((h) => h.headers['webhook-id'])).size).toBe(events.length);
    const deliveries = await deliveriesOf(endpoint.id);
    expect(deliveries.map((d) => d.eventId).sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('retries 500, 500 and gets 200 on the third attempt, with backoff, and the log shows the three attempts', async () => {
    const sector = await ownSector();
    receiver.script('/flaky', 500, { status: 503, body: 'x'.repeat(5_000) }, 200);
    const endpoint = await register({ url: receiver.url('/flaky'), topics: { sectors: [sector] } });
    await createWorkstream(['JP'], [sector]);

    const hooks = await receiver.waitFor('/flaky', 3);
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(new Set(hooks.map((h) => h.headers['webhook-id']))).toEqual(new Set([delivery.id]));
    // Exponential: 100 ms, then 200 ms.
    expect(hooks[1].at - hooks[0].at).toBeGreaterThanOrEqual(90);
    expect(hooks[2].at - hooks[1].at).toBeGreaterThanOrEqual(190);
    // Each attempt is signed anew, and each verifies.
    for (const hook of hooks) expect(() => new Webhook(endpoint.secret).verify(hook.body, signed(hook))).not.toThrow();

    await eventually(async () => (await db.prisma.delivery.findUnique({ where: { id: delivery.id } }))?.status === 'sent', 10_000, 'the delivery sent');
    await settle(500);
    expect(receiver.received('/flaky')).toHaveLength(3);
    const [logged] = (await detail(endpoint.id)).deliveries;
    expect(logged).toMatchObject({ status: 'sent', attempts: 3 });
    expect(logged.log.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode])).toEqual([[1, 500], [2, 503], [3, 200]]);
    expect(logged.log[0].nextAttemptAt).not.toBeNull();
    expect(logged.log[1].nextAttemptAt).not.toBeNull();
    expect(logged.log[2].nextAttemptAt).toBeNull();
    expect(logged.log[1].responseBody).toHaveLength(1024);
    expect(logged.log[1].durationMs).toEqual(expect.any(Number));
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    const sector = await ownSector();
    receiver.script('/slow', { status: 200, hang: true });
    const endpoint = await register({ url: receiver.url('/slow'), topics: { sectors: [sector] } });
    await createWorkstream(['PH'], [sector]);

    const hooks = await receiver.waitFor('/slow', 2);
    expect(hooks[1].at - hooks[0].at).toBeGreaterThanOrEqual(2_000);
    const [delivery] = await deliveriesOf(endpoint.id);
    await eventually(async () => (await db.prisma.delivery.findUnique({ where: { id: delivery.id } }))?.status === 'sent', 10_000, 'the delivery sent');
    const log = (await detail(endpoint.id)).deliveries[0].log;
    expect(log[0]).toMatchObject({ attempt: 1, statusCode: null, error: 'no answer within 2000 ms', nextAttemptAt: expect.any(String) });
    expect(log[0].durationMs).toBeGreaterThanOrEqual(1_900);
    expect(log[1]).toMatchObject({ attempt: 2, statusCode: 200 });
  });

  it('fails a 410 at once, without retrying, and a manual retry sends it again', async () => {
    const sector = await ownSector();
    receiver.script('/gone', 410);
    const endpoint = await register({ url: receiver.url('/gone'), topics: { sectors: [sector] } });
    await createWorkstream(['PH'], [sector]);

    await receiver.waitFor('/gone', 1);
    const [delivery] = await deliveriesOf(endpoint.id);
    await eventually(async () => (await db.prisma.delivery.findUnique({ where: { id: delivery.id } }))?.status === 'failed', 10_000, 'the delivery failed');
    await settle(1_000);
    expect(receiver.received('/gone')).toHaveLength(1);
    const failed = (await detail(endpoint.id)).deliveries[0];
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 410' });
    expect(failed.log).toEqual([expect.objectContaining({ attempt: 1, statusCode: 410, nextAttemptAt: null })]);
    // A 4xx fails the delivery, not the endpoint.
    expect((await detail(endpoint.id)).enabled).toBe(true);

    const retried = await request(api.getHttpServer()).post(`/v1/admin/webhooks/deliveries/${delivery.id}/retry`).set(bearer(adminKey)).expect(202);
    expect(retried.body).toMatchObject({ id: delivery.id, kind: 'webhook', status: 'queued', subscriber: null, webhookEndpoint: { id: endpoint.id, url: receiver.url('/gone') } });
    await receiver.waitFor('/gone', 2);
    await eventually(async () => (await db.prisma.delivery.findUnique({ where: { id: delivery.id } }))?.status === 'sent', 10_000, 'the retried delivery sent');
    const log = (await detail(endpoint.id)).deliveries[0].log;
    expect(log.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode])).toEqual([[1, 410], [2, 200]]);
    await request(api.getHttpServer()).post(`/v1/admin/webhooks/deliveries/${delivery.id}/retry`).set(bearer(adminKey)).expect(409);
    await request(api.getHttpServer()).post('/v1/admin/webhooks/deliveries/00000000-0000-0000-0000-000000000000/retry').set(bearer(adminKey)).expect(404);
  });

  it('signs with the new secret after a rotation: the old one no longer verifies', async () => {
    const sector = await ownSector();
    const endpoint = await register({ url: receiver.url('/rotated'), topics: { sectors: [sector] } });
    await createWorkstream(['PH'], [sector]);
    const [before] = await receiver.waitFor('/rotated', 1);
    expect(() => new Webhook(endpoint.secret).verify(before.body, signed(before))).not.toThrow();

    const rotated = await request(api.getHttpServer()).post(`/v1/admin/webhooks/${endpoint.id}/rotate-secret`).set(bearer(adminKey)).expect(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(JSON.stringify(await detail(endpoint.id))).not.toContain(rotated.body.secret);

    await createWorkstream(['PH'], [sector]);
    const [, after] = await receiver.waitFor('/rotated', 2);
    expect(() => new Webhook(rotated.body.secret).verify(after.body, signed(after))).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(after.body, signed(after))).toThrow(/signature/i);
  });

  it('disables an endpoint that fails for the whole retry span, with the reason, and sends it nothing more', async () => {
    const sector = await ownSector();
    receiver.script('/down', ...Array.from({ length: 50 }, () => 503));
    const endpoint = await register({ url: receiver.url('/down'), topics: { sectors: [sector] } });
    await createWorkstream(['PH'], [sector]);

    const disabled = await eventually(async () => {
      const shown = await detail(endpoint.id);
      return shown.enabled === false ? shown : null;
    }, 20_000, 'the endpoint disabled');
    expect(disabled.disabledReason).toMatch(/whole retry span; last error: HTTP 503/);
    const [delivery] = disabled.deliveries;
    expect(delivery.status).toBe('failed');
    // Retried (0, 0.1, 0.3, 0.7, 1.5 s on a quiet machine; fewer when the queue lags), the last try
    // once the 3 s span since the delivery's job was created is over.
    expect(delivery.log.length).toBeGreaterThanOrEqual(2);
    expect(delivery.log.at(-1)).toMatchObject({ statusCode: 503, nextAttemptAt: null });
    for (const attempt of delivery.log.slice(0, -1)) expect(attempt.nextAttemptAt).not.toBeNull();
    const tries = receiver.received('/down');
    expect(tries).toHaveLength(delivery.log.length);
    expect(Date.parse(delivery.log.at(-1).at) - Date.parse(delivery.createdAt)).toBeGreaterThanOrEqual(2_900);

    // A disabled endpoint gets no new deliveries; enabling it again clears the reason.
    await createWorkstream(['PH'], [sector]);
    await settle(1_000);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
    expect(receiver.received('/down')).toHaveLength(tries.length);
    const enabled = await request(api.getHttpServer()).patch(`/v1/admin/webhooks/${endpoint.id}`).set(bearer(adminKey)).send({ enabled: true }).expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('disables by hand with a reason, deletes, and answers problem+json for bad input', async () => {
    const server = api.getHttpServer();
    const sector = await ownSector();
    const endpoint = await register({ url: receiver.url('/admin'), topics: { countries: ['jp'] }, eventTypes: ['milestone.completed', 'milestone.completed'] });
    expect((await detail(endpoint.id)).eventTypes).toEqual(['milestone.completed']);
    const off = await request(server).patch(`/v1/admin/webhooks/${endpoint.id}`).set(bearer(adminKey)).send({ enabled: false, reason: 'receiver moving' }).expect(200);
    expect(off.body).toMatchObject({ enabled: false, disabledReason: 'receiver moving', topics: { countries: ['JP'] } });

    const counted = await db.prisma.webhookEndpoint.count();
    const bad = async (body: unknown, status: number, code: string) => {
      const res = await request(server).post('/v1/admin/webhooks').set(bearer(adminKey)).send(body as object).expect(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe(code);
      return res.body;
    };
    expect((await bad({ url: 'not a url', topics: { sectors: [sector] } }, 400, 'validation_failed')).errors).toEqual([expect.objectContaining({ field: 'url' })]);
    await bad({ url: receiver.url('/x'), topics: { sectors: [sector] }, secret: 'mine' }, 400, 'validation_failed');
    await bad({ url: receiver.url('/x'), topics: { countries: ['ZZ'] } }, 422, 'unknown_country');
    await bad({ url: receiver.url('/x'), topics: {} }, 422, 'no_topics');
    await bad({ url: receiver.url('/x'), topics: { sectors: [sector] }, eventTypes: ['milestone.exploded'] }, 400, 'validation_failed');
    await bad({ url: 'ftp://example.org/hook', topics: { sectors: [sector] } }, 422, 'webhook_url_not_allowed');
    // Outside production too, private and metadata addresses are refused; only loopback is let through.
    await bad({ url: 'http://10.0.0.1/hook', topics: { sectors: [sector] } }, 422, 'webhook_url_not_allowed');
    await bad({ url: 'http://169.254.169.254/latest/meta-data/', topics: { sectors: [sector] } }, 422, 'webhook_url_not_allowed');
    expect(await db.prisma.webhookEndpoint.count()).toBe(counted);

    await request(server).patch(`/v1/admin/webhooks/${endpoint.id}`).set(bearer(adminKey)).send({ reason: 'no' }).expect(400);
    await request(server).get('/v1/admin/webhooks/not-an-id').set(bearer(adminKey)).expect(404);
    const editor = (await insertApiKey(db.prisma, 'Desk editor', 'editor')).key;
    await request(server).get('/v1/admin/webhooks').set(bearer(editor)).expect(403);
    await request(server).get('/v1/admin/webhooks').expect(401);

    await request(server).delete(`/v1/admin/webhooks/${endpoint.id}`).set(bearer(adminKey)).expect(204);
    await request(server).delete(`/v1/admin/webhooks/${endpoint.id}`).set(bearer(adminKey)).expect(404);
    expect(await db.prisma.webhookTopic.count({ where: { endpointId: endpoint.id } })).toBe(0);
  });

  it('checks the address again at send time: a URL re-pointed at a refused address fails at once, unsent', async () => {
    const sector = await ownSector();
    const endpoint = await register({ url: receiver.url('/repointed'), topics: { sectors: [sector] } });
    // As if its DNS changed after registration: 0.0.0.0 reaches this host's own listeners on Linux.
    const port = new URL(receiver.url('/')).port;
    await db.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data: { url: `http://0.0.0.0:${port}/repointed` } });
    await createWorkstream(['PH'], [sector]);

    const failed = await eventually(async () => {
      const [delivery] = await deliveriesOf(endpoint.id);
      return delivery?.status === 'failed' ? delivery : null;
    }, 10_000, 'the delivery failed');
    expect(failed).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/0\.0\.0\.0 is not a public address/) });
    await settle(500);
    expect(receiver.received('/repointed')).toHaveLength(0);
    expect((await detail(endpoint.id)).deliveries[0].log).toEqual([expect.objectContaining({ attempt: 1, statusCode: null, nextAttemptAt: null })]);
  });

  it('the reconciler gives a webhook delivery left without a job a webhook.send job', async () => {
    const sector = await ownSector();
    const endpoint = await register({ url: receiver.url('/reconciled'), topics: { sectors: [sector] } });
    const workstream = await factories(db.prisma).workstream({ countries: ['PH'], sectors: [sector] });
    const event = await factories(db.prisma).event(workstream.id, { type: 'milestone.overdue', occurredAt: new Date(), from: 'in_progress', to: 'overdue', notify: false });
    // A row whose job was lost (a worker died between the insert and the enqueue, or Redis lost it).
    const delivery = await db.prisma.delivery.create({ data: { kind: 'webhook', webhookEndpointId: endpoint.id, eventId: event.id, updatedAt: new Date(Date.now() - 60_000) } });

    const result = await worker.get(DeliveryReconciler).reconcile(30);
    expect(result.requeued).toBeGreaterThanOrEqual(1);
    const [hook] = await receiver.waitFor('/reconciled', 1);
    expect(hook.headers['webhook-id']).toBe(delivery.id);
    expect(await worker.get(JobQueues).queue(QUEUES.email).getJobState(delivery.id)).toBe('unknown');
  });

  it('in production mode refuses http and URLs resolving to private, loopback, link-local or metadata addresses with 422', async () => {
    const sector = await ownSector();
    const counted = await db.prisma.webhookEndpoint.count();
    for (const url of ['https://10.0.0.1/hook', 'https://169.254.169.254/latest/meta-data/', 'https://[::1]/hook', 'https://[fd00::1]/hook', 'https://[::ffff:192.168.1.1]/hook', 'https://localhost/hook', 'https://127.0.0.1/hook', receiver.url('/prod')]) {
      const res = await request(production.getHttpServer()).post('/v1/admin/webhooks').set(bearer(adminKey)).send({ url, topics: { sectors: [sector] } });
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 422, code: 'webhook_url_not_allowed' });
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'url', code: 'webhook_url_not_allowed' })]);
    }
    expect(await db.prisma.webhookEndpoint.count()).toBe(counted);
  });
});
