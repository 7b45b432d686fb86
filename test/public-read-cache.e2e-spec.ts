import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import { PublicReadCache } from '../apps/api/src/public/public-read-cache';
import { bearer, insertApiKey } from './support/admin';
import { bootApi } from './support/api';
import { createTestDatabase, TestDatabase } from './support/database';
import { eventually } from './support/eventually';
import { factories } from './support/factories';

/**
 * The public API keeps its answers until the database says the data under them changed (a
 * statement-level trigger notifying `pw_public_data`): a write from anywhere — another process,
 * psql — is seen at the next request after its notification; a write through this API at once;
 * and without its listening connection the API keeps nothing.
 */
describe('public read cache', () => {
  let db: TestDatabase;
  let api: INestApplication;
  let slug: string;

  /** A statement on a connection of its own; `quietly` writes with triggers off (no notification). */
  async function sql(statement: string, params: unknown[] = [], quietly = false): Promise<void> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      if (quietly) await client.query('SET LOCAL session_replication_role = replica');
      await client.query(statement, params);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  }

  const title = async () => (await request(api.getHttpServer()).get(`/v1/workstreams/${slug}`).expect(200)).body.title as string;
  const listed = async () =>
    ((await request(api.getHttpServer()).get('/v1/workstreams?country=MY').expect(200)).body.items as { title: string }[]).map((w) => w.title);

  beforeAll(async () => {
    db = await createTestDatabase('pw_public_cache');
    const f = factories(db.prisma);
    await f.country('MY', 'Malaysia');
    slug = (await f.workstream({ title: 'Coastal radars for Malaysia', countries: ['MY'] })).slug;
    api = await bootApi(db.url);
    await eventually(async () => api.get(PublicReadCache).enabled || null, 10_000, 'the cache listening');
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('serves a kept answer until a write anywhere notifies, then the fresh one', async () => {
    expect(await title()).toBe('Coastal radars for Malaysia');
    expect(await listed()).toEqual(['Coastal radars for Malaysia']);

    // Written with triggers off: nothing tells the API, so both answers come from memory.
    await sql(`UPDATE "Workstream" SET title = 'Unseen title' WHERE slug = $1`, [slug], true);
    expect(await title()).toBe('Coastal radars for Malaysia');
    expect(await listed()).toEqual(['Coastal radars for Malaysia']);

    // Another process writes (the worker's check, psql): the notification drops every kept answer.
    await sql(`UPDATE "Workstream" SET title = 'Coastal radars for the MMEA' WHERE slug = $1`, [slug]);
    await eventually(async () => (await title()) === 'Coastal radars for the MMEA' || null, 5_000, 'the fresh title');
    expect(await listed()).toEqual(['Coastal radars for the MMEA']);
  });

  it('a write through this API is read back at once, with no wait for the notification', async () => {
    const { key } = await insertApiKey(db.prisma, 'cache editor', 'editor');
    expect(await title()).toBe('Coastal radars for the MMEA');
    await request(api.getHttpServer())
      .patch(`/v1/admin/workstreams/${slug}`)
      .set(bearer(key))
      .send({ title: 'Coastal surveillance radars for Malaysia' })
      .expect(200);
    expect(await title()).toBe('Coastal surveillance radars for Malaysia');
  });

  it('without its listening connection the API keeps nothing, and listens again', async () => {
    const cache = api.get(PublicReadCache);
    await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN pw_public_data%'`);
    await eventually(async () => !cache.enabled || null, 5_000, 'the cache off');
    // Triggers off, so no notification could help: only reading the database shows this title.
    await sql(`UPDATE "Workstream" SET title = 'Read from the database' WHERE slug = $1`, [slug], true);
    expect(await title()).toBe('Read from the database');
    await eventually(async () => cache.enabled || null, 10_000, 'the cache listening again');
    expect(await title()).toBe('Read from the database');
  });
});
