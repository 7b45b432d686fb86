import request from 'supertest';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { bootApi } from './support/api';
import { bearer, day, insertApiKey, insertReferenceData } from './support/admin';
import { bootWorker, dropQueueKeys, testEnv, testQueuePrefix } from './support/alerts-harness';
import { createTestDatabase, TestDatabase } from './support/database';
import { OverlapWatch, watchOverlappingQueries } from './support/pg-overlaps';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

/**
 * A transaction is one pg connection: every query on it must wait for the previous one. pg 8 warns "Calling client.query() when the client is already executing a query"; pg 9
 * refuses. Prisma 7.10's query interpreter loads sibling relations concurrently, so a read with two
 * or more relations inside $transaction overlapped — the subscribe confirmation and every editor
 * write did. Each test drives one of those paths through the booted API (and worker) and expects no
 * query to have been issued on a busy connection.
 */
describe('transactions issue one query at a time on their connection', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let api: INestApplication;
  let worker: INestApplicationContext;
  let editor: Record<string, string>;
  let admin: Record<string, string>;
  let summit: string;
  let watch: OverlapWatch;
  const prefix = testQueuePrefix('tx-connections');
  const http = () => request(api.getHttpServer());

  beforeAll(async () => {
    [db, sink] = await Promise.all([createTestDatabase('pw_txconn'), startSmtpSink()]);
    ({ summit } = await insertReferenceData(db.prisma));
    editor = bearer((await insertApiKey(db.prisma, 'editor-tx', 'editor')).key);
    admin = bearer((await insertApiKey(db.prisma, 'admin-tx', 'admin')).key);
    const env = testEnv(db.url, prefix, sink.url);
    api = await bootApi(db.url, env);
    worker = await bootWorker(env);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sink?.close();
    await db?.drop();
    await dropQueueKeys(prefix);
  });
  beforeEach(() => {
    watch = watchOverlappingQueries();
  });
  afterEach(() => watch.stop());

  it('a subscribe request and its confirmation email (the worker decides and reads the topics in a transaction)', async () => {
    const email = `tx-${Date.now()}@example.org`;
    await http()
      .post('/v1/subscriptions')
      .set('X-Forwarded-For', '198.51.100.40')
      .send({ email, countries: ['PH'], sectors: ['space'], intersections: [{ country: 'VN', sector: 'maritime-security' }] })
      .expect(202);
    const [mail] = await sink.waitFor(1, 20_000);
    expect(mail.to).toMatchObject({ text: email });
    const subscriber = await db.prisma.subscriber.findUniqueOrThrow({ where: { email }, include: { subscriptions: true } });
    expect(subscriber.subscriptions).toHaveLength(3);
    expect(watch.overlaps).toEqual([]);
  });

  it('the editors’ writes: create, patch, add and patch a milestone, import, archive', async () => {
    const created = (
      await http()
        .post('/v1/admin/workstreams')
        .set(editor)
        .send({
          title: 'Overlap probe',
          summary: 'A workstream with two countries and a sector.',
          summit,
          countries: ['PH', 'JP'],
          sectors: ['maritime-security'],
          instrument: 'oda',
          stage: 'implementation',
          milestones: [{ title: 'First step', dueDate: day(60) }],
        })
        .expect(201)
    ).body;
    expect(created.countries).toEqual(['JP', 'PH']);

    const patched = (await http().patch(`/v1/admin/workstreams/${created.slug}`).set(editor).send({ sectors: ['maritime-security', 'space'], stage: 'finalisation' }).expect(200)).body;
    expect(patched).toMatchObject({ sectors: ['maritime-security', 'space'], stage: 'finalisation' });

    const added = (await http().post(`/v1/admin/workstreams/${created.slug}/milestones`).set(editor).send({ title: 'Second step', dueDate: day(90) }).expect(201)).body;
    await http().patch(`/v1/admin/milestones/${added.id}`).set(editor).send({ status: 'in_progress' }).expect(200);

    const imported = await http()
      .post('/v1/admin/import')
      .set(editor)
      .send({
        workstreams: ['Imported A', 'Imported B'].map((title) => ({
          title,
          summary: `${title}.`,
          summit,
          countries: ['VN', 'JP'],
          sectors: ['space'],
          instrument: 'initiative',
          stage: 'pipeline',
          milestones: [],
        })),
      })
      .expect(201);
    expect(imported.body.created.map((c: { slug: string }) => c.slug)).toEqual(['imported-a', 'imported-b']);

    await http().delete(`/v1/admin/workstreams/${created.slug}`).set(admin).expect(204);
    expect((await db.prisma.workstream.findUniqueOrThrow({ where: { id: created.id } })).archivedAt).toBeInstanceOf(Date);
    expect(watch.overlaps).toEqual([]);
  });
});
