import { createTestDatabase, TestDatabase } from '../../../test/support/database';
import { AuditService } from './audit.service';

describe('AuditService (Postgres)', () => {
  let db: TestDatabase;
  const audit = new AuditService();

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('writes the entry inside the caller’s transaction, with JSON before/after', async () => {
    const at = new Date('2025-06-15T10:00:00.000Z');
    await db.prisma.$transaction((tx) =>
      audit.record(
        tx,
        { actor: 'editor-ana', apiKeyId: null, action: 'milestone.update', entityType: 'milestone', entityId: 'm-1', before: { when: at, gone: undefined }, after: { status: 'completed' } },
        at,
      ),
    );
    const [entry] = await db.prisma.auditEntry.findMany({ where: { entityId: 'm-1' } });
    expect(entry).toMatchObject({ actor: 'editor-ana', apiKeyId: null, action: 'milestone.update', at, before: { when: '2025-06-15T10:00:00.000Z' }, after: { status: 'completed' } });
  });

  it('stores a missing before/after as SQL NULL', async () => {
    await db.prisma.$transaction((tx) => audit.recordMany(tx, [{ actor: 'a', action: 'x.create', entityType: 'x', entityId: 'x-1', after: { n: 1 } }]));
    const rows = await db.prisma.$queryRaw<{ before_is_null: boolean }[]>`SELECT before IS NULL AS before_is_null FROM "AuditEntry" WHERE "entityId" = 'x-1'`;
    expect(rows).toEqual([{ before_is_null: true }]);
  });

  it('leaves nothing behind when the caller’s transaction rolls back', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await audit.record(tx, { actor: 'a', action: 'x.update', entityType: 'x', entityId: 'x-2' });
        throw new Error('the change failed after the audit entry');
      }),
    ).rejects.toThrow('the change failed');
    expect(await db.prisma.auditEntry.count({ where: { entityId: 'x-2' } })).toBe(0);
  });
});
