import { AuditService } from '@pledgewatch/audit';
import { loadConfig } from '@pledgewatch/config';
import type { PrismaService } from '@pledgewatch/database';
import { ConflictError, NotFoundError, ValidationError } from '@pledgewatch/problems';
import { createTestDatabase, TestDatabase } from '../../../test/support/database';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

describe('ApiKeysService (Postgres)', () => {
  let db: TestDatabase;
  let keys: ApiKeysService;
  const actor = { name: 'admin-ben', apiKeyId: null };

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: db.url, ADMIN_API_KEY: 'the-bootstrap-key-0123456789' });
    keys = new ApiKeysService(new ApiKeysRepository(db.prisma as unknown as PrismaService), new AuditService(), config);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('stores only the hash and the prefix', async () => {
    const created = await keys.create({ name: 'desk', role: 'editor' }, actor);
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(row.prefix).toBe(created.key.slice(0, 11));
  });

  it('authenticates stored keys and the bootstrap key; unknown and revoked keys are null', async () => {
    const created = await keys.create({ name: 'auth-test', role: 'admin' }, actor);
    expect(await keys.authenticate(created.key)).toEqual({ id: created.id, name: 'auth-test', role: 'admin' });
    expect(await keys.authenticate('the-bootstrap-key-0123456789')).toEqual({ id: null, name: 'bootstrap', role: 'admin' });
    const last = created.key.slice(-1);
    expect(await keys.authenticate(`${created.key.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`)).toBeNull();
    await keys.revoke(created.id, actor);
    expect(await keys.authenticate(created.key)).toBeNull();
  });

  it('records lastUsedAt at most once a minute', async () => {
    const created = await keys.create({ name: 'busy', role: 'editor' }, actor);
    await keys.authenticate(created.key);
    const first = (await db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt;
    expect(first).not.toBeNull();
    await keys.authenticate(created.key);
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).toEqual(first);
    await db.prisma.apiKey.update({ where: { id: created.id }, data: { lastUsedAt: new Date(Date.now() - 61_000) } });
    await keys.authenticate(created.key);
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt!.getTime()).toBeGreaterThan(Date.now() - 5_000);
  });

  it('revokes by id or prefix, once; an ambiguous prefix is a 409, an unknown one a 404', async () => {
    const created = await keys.create({ name: 'to-revoke', role: 'editor' }, actor);
    const revoked = await keys.revoke(created.prefix.slice(3), actor);
    expect(revoked.revokedAt).not.toBeNull();
    expect(await keys.revoke(created.id, actor)).toEqual(revoked);
    expect(await db.prisma.auditEntry.count({ where: { entityId: created.id, action: 'api_key.revoke' } })).toBe(1);

    await db.prisma.apiKey.createMany({
      data: [
        { name: 'twin-1', role: 'editor', keyHash: 'h1', prefix: 'pw_TWINTWIN' },
        { name: 'twin-2', role: 'editor', keyHash: 'h2', prefix: 'pw_TWINTWIN' },
      ],
    });
    await expect(keys.revoke('pw_TWINTWIN', actor)).rejects.toBeInstanceOf(ConflictError);
    await expect(keys.revoke('pw_NOTTHERE', actor)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses the reserved name and unknown roles', async () => {
    await expect(keys.create({ name: ' BOOTSTRAP ', role: 'admin' }, actor)).rejects.toBeInstanceOf(ValidationError);
    await expect(keys.create({ name: 'x', role: 'root' }, actor)).rejects.toBeInstanceOf(ValidationError);
  });
});
