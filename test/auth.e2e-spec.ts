import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { generateApiKey, hashApiKey } from '@pledgewatch/auth';
import { bootApi } from './support/api';
import { bearer, day, insertApiKey, insertReferenceData, runCli } from './support/admin';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { createTestDatabase, TestDatabase } from './support/database';

const BOOTSTRAP = 'bootstrap-key-for-the-auth-tests-0123456789';

describe('Admin API authentication', () => {
  let db: TestDatabase;
  const queuePrefix = testQueuePrefix('auth');
  let app: INestApplication;
  let editor: { id: string; key: string };
  let admin: { id: string; key: string };
  let revoked: { id: string; key: string };
  let summit: string;

  const body = (title: string) => ({
    title,
    summary: 'Patrol vessels for the coast guard.',
    summit,
    countries: ['PH'],
    sectors: ['maritime-security'],
    instrument: 'oda',
    stage: 'implementation',
    milestones: [{ title: 'First vessel delivered', dueDate: day(90) }],
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ summit } = await insertReferenceData(db.prisma));
    editor = await insertApiKey(db.prisma, 'editor-ana', 'editor');
    admin = await insertApiKey(db.prisma, 'admin-ben', 'admin');
    revoked = await insertApiKey(db.prisma, 'former-editor', 'editor', true);
    app = await bootApi(db.url, { ADMIN_API_KEY: BOOTSTRAP, QUEUE_PREFIX: queuePrefix });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await dropQueueKeys(queuePrefix);
  });

  const http = () => request(app.getHttpServer());

  describe('401 unauthenticated', () => {
    it('without an Authorization header', async () => {
      const res = await http().post('/v1/admin/workstreams').send(body('No key')).expect(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
      expect(res.body).toMatchObject({ status: 401, code: 'unauthenticated' });
    });

    it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two tokens', `Token ${'x'.repeat(43)}`])('with the malformed header %p', async (header) => {
      const res = await http().get('/v1/admin/api-keys').set('Authorization', header).expect(401);
      expect(res.body.code).toBe('unauthenticated');
      expect(res.headers['www-authenticate']).toMatch(/invalid_request/);
    });

    it('with an unknown key, well-formed or not', async () => {
      for (const key of [generateApiKey().key, 'not-a-pledgewatch-key-at-all-0123456789', `${BOOTSTRAP}x`]) {
        const res = await http().get('/v1/admin/api-keys').set(bearer(key)).expect(401);
        expect(res.body.code).toBe('unauthenticated');
        expect(res.headers['www-authenticate']).toMatch(/invalid_token/);
      }
    });

    it('with a revoked key', async () => {
      const res = await http().post('/v1/admin/workstreams').set(bearer(revoked.key)).send(body('Revoked')).expect(401);
      expect(res.body.code).toBe('unauthenticated');
    });

    it('before looking at the body', async () => {
      const res = await http().post('/v1/admin/workstreams').send({ nonsense: true }).expect(401);
      expect(res.body.code).toBe('unauthenticated');
    });
  });

  describe('403 forbidden for an editor on admin-only routes', () => {
    it.each([
      ['get', '/v1/admin/api-keys'],
      ['post', '/v1/admin/api-keys'],
      ['delete', '/v1/admin/api-keys/00000000-0000-4000-8000-000000000000'],
      ['delete', '/v1/admin/workstreams/anything'],
    ] as const)('%s %s', async (method, path) => {
      // A body only where the route takes one: GET and DELETE refuse a body (415) before looking at the key.
      const req = http()[method](path).set(bearer(editor.key));
      const res = await (method === 'post' ? req.send({ name: 'x', role: 'admin' }) : req).expect(403);
      expect(res.body).toMatchObject({ status: 403, code: 'forbidden' });
    });
  });

  describe('who may do what', () => {
    it('an editor key creates a workstream, acting under its own name, and its lastUsedAt is recorded', async () => {
      const res = await http().post('/v1/admin/workstreams').set(bearer(editor.key)).send(body('By the editor')).expect(201);
      const events = await db.prisma.event.findMany({ where: { workstreamId: res.body.id } });
      expect(new Set(events.map((e) => e.actor))).toEqual(new Set(['editor-ana']));
      const audit = await db.prisma.auditEntry.findFirstOrThrow({ where: { entityId: res.body.id } });
      expect(audit).toMatchObject({ actor: 'editor-ana', apiKeyId: editor.id });
      const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: editor.id } });
      expect(row.lastUsedAt).not.toBeNull();
    });

    it('the bootstrap key is an admin called "bootstrap", with no stored key behind it', async () => {
      await http().get('/v1/admin/api-keys').set(bearer(BOOTSTRAP)).expect(200);
      const res = await http().post('/v1/admin/workstreams').set(bearer(BOOTSTRAP)).send(body('By bootstrap')).expect(201);
      const audit = await db.prisma.auditEntry.findFirstOrThrow({ where: { entityId: res.body.id } });
      expect(audit).toMatchObject({ actor: 'bootstrap', apiKeyId: null });
      expect(await db.prisma.apiKey.count({ where: { keyHash: hashApiKey(BOOTSTRAP) } })).toBe(0);
    });

    it('a stored admin key may archive', async () => {
      const created = await http().post('/v1/admin/workstreams').set(bearer(editor.key)).send(body('To archive')).expect(201);
      await http().delete(`/v1/admin/workstreams/${created.body.slug}`).set(bearer(admin.key)).expect(204);
    });
  });

  describe('keys over HTTP (admins)', () => {
    it('creates a key shown once, lists keys without secrets, revokes it, audits both', async () => {
      const created = await http().post('/v1/admin/api-keys').set(bearer(BOOTSTRAP)).send({ name: '  Desk editor  ', role: 'editor' }).expect(201);
      expect(created.body).toMatchObject({ name: 'Desk editor', role: 'editor', revokedAt: null });
      expect(created.body.key).toMatch(/^pw_[A-Za-z0-9_-]{43}$/);
      expect(created.body.prefix).toBe(created.body.key.slice(0, 11));
      const stored = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(stored.keyHash).toBe(hashApiKey(created.body.key));

      await http().post('/v1/admin/workstreams').set(bearer(created.body.key)).send(body('With the new key')).expect(201);

      const list = await http().get('/v1/admin/api-keys').set(bearer(admin.key)).expect(200);
      const listed = list.body.items.find((k: { id: string }) => k.id === created.body.id);
      expect(listed).toMatchObject({ prefix: created.body.prefix, role: 'editor' });
      expect(JSON.stringify(list.body)).not.toMatch(/keyHash|pw_[A-Za-z0-9_-]{43}/);

      await http().delete(`/v1/admin/api-keys/${created.body.id}`).set(bearer(admin.key)).expect(204);
      await http().get('/v1/admin/api-keys').set(bearer(created.body.key)).expect(401);
      await http().post('/v1/admin/workstreams').set(bearer(created.body.key)).send(body('After revocation')).expect(401);

      const audit = await db.prisma.auditEntry.findMany({ where: { entityType: 'api_key', entityId: created.body.id }, orderBy: { at: 'asc' } });
      expect(audit.map((a) => [a.action, a.actor])).toEqual([
        ['api_key.create', 'bootstrap'],
        ['api_key.revoke', 'admin-ben'],
      ]);
      expect(JSON.stringify(audit)).not.toContain(created.body.key);
    });

    it('refuses a bad role, the reserved name and unknown fields', async () => {
      const bad = await http().post('/v1/admin/api-keys').set(bearer(BOOTSTRAP)).send({ name: 'x', role: 'owner', extra: 1 }).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'role']);
      const reserved = await http().post('/v1/admin/api-keys').set(bearer(BOOTSTRAP)).send({ name: 'Bootstrap', role: 'admin' }).expect(400);
      expect(reserved.body.errors[0].field).toBe('name');
    });

    it('answers 404 for an unknown key', async () => {
      const res = await http().delete('/v1/admin/api-keys/00000000-0000-4000-8000-000000000000').set(bearer(BOOTSTRAP)).expect(404);
      expect(res.body.code).toBe('not_found');
    });
  });

  describe('the CLI', () => {
    it('creates a key and prints it once, lists keys, revokes by prefix', async () => {
      const created = await runCli(db.url, ['keys:create', '--name', 'cli-editor', '--role', 'editor']);
      expect(created).toMatchObject({ code: 0 });
      const key = /pw_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0];
      expect(key).toBeDefined();
      await http().post('/v1/admin/workstreams').set(bearer(key!)).send(body('Via a CLI key')).expect(201);
      await http().get('/v1/admin/api-keys').set(bearer(key!)).expect(403);

      const listed = await runCli(db.url, ['keys:list']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('cli-editor');
      expect(listed.stdout).toContain(key!.slice(0, 11));
      expect(listed.stdout).not.toContain(key!);
      const json = JSON.parse((await runCli(db.url, ['keys:list', '--json'])).stdout) as { name: string; lastUsedAt: string | null }[];
      expect(json.find((k) => k.name === 'cli-editor')?.lastUsedAt).not.toBeNull();

      const revokedByCli = await runCli(db.url, ['keys:revoke', key!.slice(0, 11)]);
      expect(revokedByCli.code).toBe(0);
      expect(revokedByCli.stdout).toMatch(/Revoked editor key "cli-editor"/);
      await http().post('/v1/admin/workstreams').set(bearer(key!)).send(body('After CLI revocation')).expect(401);

      const audit = await db.prisma.auditEntry.findMany({ where: { entityType: 'api_key', action: { in: ['api_key.create', 'api_key.revoke'] }, actor: { startsWith: 'cli:' } } });
      expect(audit).toHaveLength(2);
    });

    it('an admin key from the CLI works on admin-only routes', async () => {
      const created = await runCli(db.url, ['keys:create', '--name', 'cli-admin', '--role', 'admin']);
      const key = /pw_[A-Za-z0-9_-]{43}/.exec(created.stdout)![0];
      await http().get('/v1/admin/api-keys').set(bearer(key)).expect(200);
    });

    it('fails with a message and a non-zero exit code on bad input', async () => {
      const usage = await runCli(db.url, ['keys:create', '--name', 'no-role']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/--role/);
      const badRole = await runCli(db.url, ['keys:create', '--name', 'x', '--role', 'owner']);
      expect(badRole.code).toBe(1);
      const unknown = await runCli(db.url, ['keys:revoke', 'pw_nothere']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/not found/);
      expect((await runCli(db.url, ['keys:explode'])).code).toBe(2);
    });
  });

  describe('without ADMIN_API_KEY', () => {
    it('there is no bootstrap key', async () => {
      const bare = await bootApi(db.url, { QUEUE_PREFIX: queuePrefix });
      try {
        await request(bare.getHttpServer()).get('/v1/admin/api-keys').set(bearer(BOOTSTRAP)).expect(401);
        await request(bare.getHttpServer()).get('/v1/admin/api-keys').set(bearer(admin.key)).expect(200);
      } finally {
        await bare.close();
      }
    });
  });
});
