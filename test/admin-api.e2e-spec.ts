import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@pledgewatch/config';
import { eventTypeName } from '@pledgewatch/events';
import { evaluateHealth } from '@pledgewatch/status';
import { bootApi } from './support/api';
import { ResponseContract } from './support/contract';
import { bearer, day, insertApiKey, insertReferenceData, rowCounts } from './support/admin';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { createTestDatabase, TestDatabase } from './support/database';

const BOOTSTRAP = 'bootstrap-key-for-the-admin-tests-0123456789';

describe('Admin API: workstreams, milestones, import', () => {
  let contract: ResponseContract;
  let db: TestDatabase;
  const queuePrefix = testQueuePrefix('admin-api');
  let app: INestApplication;
  let editor: Record<string, string>;
  let summit: string;

  const http = () => request(app.getHttpServer());
  const createBody = (overrides: Record<string, unknown> = {}) => ({
    title: 'Coast guard patrol vessels',
    summary: 'Japan provides patrol vessels to the Philippine Coast Guard.',
    summit,
    countries: ['PH', 'JP'],
    sectors: ['maritime-security'],
    instrument: 'oda',
    stage: 'implementation',
    source: { quote: 'Japan will provide five vessels.', title: 'Joint Statement', url: 'https://example.org/joint', publisher: 'MOFA', date: '2023-12-17' },
    milestones: [
      { title: 'Loan agreement signed', dueDate: day(-30), completedOn: day(-40), dateBasis: 'sourced' },
      { title: 'First vessel delivered', plannedStart: day(-10), dueDate: day(120) },
    ],
    ...overrides,
  });
  const create = async (overrides: Record<string, unknown> = {}) =>
    (await http().post('/v1/admin/workstreams').set(editor).send(createBody(overrides)).expect(201)).body;
  const eventsOf = (workstreamId: string) =>
    db.prisma.event.findMany({ where: { workstreamId }, orderBy: [{ occurredAt: 'asc' }] });

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ summit } = await insertReferenceData(db.prisma));
    editor = bearer((await insertApiKey(db.prisma, 'editor-ana', 'editor')).key);
    app = await bootApi(db.url, { ADMIN_API_KEY: BOOTSTRAP, QUEUE_PREFIX: queuePrefix });
    contract = ResponseContract.attach(app);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await dropQueueKeys(queuePrefix);
  });

  describe('POST /v1/admin/workstreams', () => {
    it('creates the workstream with its milestones, health from evaluateHealth, its events and one audit entry', async () => {
      const res = await http().post('/v1/admin/workstreams').set(editor).send(createBody()).expect(201);
      const ws = res.body;
      expect(res.headers.etag).toBe('"1"');
      expect(res.headers.location).toBe(`/v1/workstreams/${ws.slug}`);
      expect(ws).toMatchObject({
        slug: 'coast-guard-patrol-vessels',
        title: 'Coast guard patrol vessels',
        summit: 'test-summit',
        countries: ['JP', 'PH'],
        sectors: ['maritime-security'],
        instrument: 'oda',
        stage: 'implementation',
        version: 1,
        archived: false,
        // Derived from the milestones: the completed loan agreement is the last progress.
        lastProgressAt: `${day(-40)}T00:00:00.000Z`,
        // Creating it is the editors' first look.
        lastReviewedAt: ws.createdAt,
        lastReviewedBy: 'editor-ana',
        reviewDue: false,
        source: { quote: 'Japan will provide five vessels.', url: 'https://example.org/joint', date: '2023-12-17' },
      });
      expect(ws.milestones.map((m: { title: string; status: string; position: number; completedOn: string | null }) => [m.title, m.status, m.position, m.completedOn])).toEqual([
        ['Loan agreement signed', 'completed', 1, day(-40)],
        ['First vessel delivered', 'not_started', 2, null],
      ]);
      // Sent without a dateBasis, a due date is the editors' planning assumption.
      expect(ws.milestones.map((m: { dateBasis: string }) => m.dateBasis)).toEqual(['sourced', 'assumed']);

      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id }, include: { milestones: true } });
      const expected = evaluateHealth({ ...row, reviews: [row.lastReviewedAt!] }, row.milestones, row.healthSince, loadConfig({}).healthWindows);
      expect({ health: ws.health, healthReason: ws.healthReason }).toEqual({ health: expected.health, healthReason: expected.reason });
      expect(ws.health).toBe('on_track');

      const events = await eventsOf(ws.id);
      expect(events.map((e) => [eventTypeName(e.type), e.to, e.actor, e.notify])).toEqual(
        expect.arrayContaining([
          ['workstream.created', 'on_track', 'editor-ana', true],
          ['milestone.added', day(-30), 'editor-ana', true],
          ['milestone.added', day(120), 'editor-ana', true],
        ]),
      );
      expect(events).toHaveLength(3);
      const audit = await db.prisma.auditEntry.findMany({ where: { entityId: ws.id } });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor: 'editor-ana', action: 'workstream.create', entityType: 'workstream', before: null });
      expect(audit[0].after).toMatchObject({ slug: ws.slug, milestones: [{ title: 'Loan agreement signed' }, { title: 'First vessel delivered' }] });
    });

    it('generates unique slugs from titles: -2, -3 …', async () => {
      const title = 'Space situational awareness: radar';
      const slugs = [];
      for (let i = 0; i < 3; i++) slugs.push((await create({ title, milestones: [] })).slug);
      expect(slugs).toEqual(['space-situational-awareness-radar', 'space-situational-awareness-radar-2', 'space-situational-awareness-radar-3']);
    });

    it('concurrent creations of one title still get distinct slugs (the loser of the race retries)', async () => {
      const results = await Promise.all(
        Array.from({ length: 4 }, () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ title: 'Raced title', milestones: [] }))),
      );
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(results.map((r) => r.body.slug).sort()).toEqual(['raced-title', 'raced-title-2', 'raced-title-3', 'raced-title-4']);
    });

    it('without milestones the health is unknown', async () => {
      const ws = await create({ title: 'No milestones yet', milestones: undefined });
      expect(ws).toMatchObject({ health: 'unknown', milestones: [] });
    });
  });

  describe('refusals write nothing', () => {
    let target: { id: string; slug: string; milestones: { id: string }[] };
    beforeAll(async () => {
      target = await create({ title: 'Refusal target', slug: 'refusal-target' });
    });

    const cases: [string, number, string, () => request.Test, (body: Record<string, any>) => void][] = [
      ['an unknown field', 400, 'validation_failed', () => http().post('/v1/admin/workstreams').set(editor).send({ ...createBody(), colour: 'blue' }),
        (b) => expect(b.errors).toEqual([expect.objectContaining({ field: 'colour', code: 'unknown_field' })])],
      ['a date that does not exist', 400, 'validation_failed', () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ milestones: [{ title: 'x', dueDate: '2025-02-30' }] })),
        (b) => expect(b.errors).toEqual([expect.objectContaining({ field: 'milestones.0.dueDate', code: 'invalid_format' })])],
      ['a non-http URL', 400, 'validation_failed', () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ source: { quote: 'q', title: 't', url: 'javascript:alert(1)' } })),
        (b) => expect(b.errors[0].field).toBe('source.url')],
      ['unknown countries', 422, 'unknown_country', () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ countries: ['PH', 'ZZ', 'XX'] })),
        (b) => {
          expect(b.errors.map((e: { field: string }) => e.field)).toEqual(['countries.1', 'countries.2']);
          expect(b.detail).toContain('"ZZ"');
          expect(b.errors[1].message).toContain('"XX"');
        }],
      ['an unknown sector', 422, 'unknown_sector', () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ sectors: ['space', 'underwater-basket-weaving'] })),
        (b) => expect(b.errors).toEqual([expect.objectContaining({ field: 'sectors.1', message: expect.stringContaining('underwater-basket-weaving') })])],
      ['an unknown summit', 422, 'unknown_summit', () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ summit: 'g7-1975' })),
        (b) => expect(b.detail).toContain('g7-1975')],
      ['a due date before the planned start', 422, 'invalid_dates', () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ milestones: [{ title: 'x', plannedStart: day(10), dueDate: day(5) }] })),
        (b) => expect(b.errors[0].field).toBe('milestones.0.dueDate')],
      ['a completion in the future', 422, 'date_in_future', () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ milestones: [{ title: 'x', dueDate: day(5), status: 'completed', completedOn: day(1) }] })),
        (b) => expect(b.errors[0].field).toBe('milestones.0.completedOn')],
      ['status overdue on creation', 422, 'status_reserved', () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ milestones: [{ title: 'x', dueDate: day(-5), status: 'overdue' }] })),
        (b) => expect(b.errors[0].field).toBe('milestones.0.status')],
      ['a taken slug', 409, 'slug_taken', () => http().post('/v1/admin/workstreams').set(editor).send(createBody({ slug: 'refusal-target' })),
        (b) => expect(b.slug).toBe('refusal-target')],
      ['status overdue on a milestone', 422, 'status_reserved', () => http().patch(`/v1/admin/milestones/${target.milestones[1].id}`).set(editor).send({ status: 'overdue' }), () => undefined],
      ['a reschedule before the planned start', 422, 'invalid_dates', () => http().patch(`/v1/admin/milestones/${target.milestones[1].id}`).set(editor).send({ dueDate: day(-20), status: 'completed' }), () => undefined],
      ['an unknown country on a patch', 422, 'unknown_country', () => http().patch(`/v1/admin/workstreams/${target.slug}`).set(editor).send({ countries: ['QQ'], stage: 'closed' }), () => undefined],
      ['an unknown field on a milestone patch', 400, 'validation_failed', () => http().patch(`/v1/admin/milestones/${target.milestones[1].id}`).set(editor).send({ status: 'completed', owner: 'me' }), () => undefined],
      ['a new milestone due before it starts', 422, 'invalid_dates', () => http().post(`/v1/admin/workstreams/${target.id}/milestones`).set(editor).send({ title: 'y', plannedStart: day(3), dueDate: day(2) }), () => undefined],
      ['an unknown workstream', 404, 'not_found', () => http().patch('/v1/admin/workstreams/no-such-thing').set(editor).send({ stage: 'closed' }), () => undefined],
      ['an unknown milestone', 404, 'not_found', () => http().patch('/v1/admin/milestones/00000000-0000-4000-8000-000000000000').set(editor).send({ status: 'completed' }), () => undefined],
      ['a milestone id that is not an id', 404, 'not_found', () => http().patch('/v1/admin/milestones/not-a-uuid').set(editor).send({ status: 'completed' }), () => undefined],
      ['a malformed If-Match', 400, 'validation_failed', () => http().patch(`/v1/admin/workstreams/${target.slug}`).set(editor).set('If-Match', 'yesterday').send({ stage: 'closed' }),
        (b) => expect(b.errors[0].code).toBe('invalid_if_match')],
    ];

    it.each(cases)('%s → %i %s', async (_name, status, code, send, check) => {
      const before = await rowCounts(db.prisma);
      const res = await send().expect(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status, code });
      check(res.body);
      expect(await rowCounts(db.prisma)).toEqual(before);
      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: target.id } });
      expect(row).toMatchObject({ version: 1, stage: 'implementation' });
    });
  });

  describe('PATCH /v1/admin/workstreams/{id|slug}', () => {
    it('changes fields, records stage_changed and health_changed, bumps the version and answers the ETag', async () => {
      const ws = await create({ title: 'Stage change target' });
      const res = await http()
        .patch(`/v1/admin/workstreams/${ws.slug}`)
        .set(editor)
        .set('If-Match', '"1"')
        .send({ title: '  Stage change target (renamed)  ', stage: 'suspended', countries: ['VN'], sectors: ['space', 'maritime-security'] })
        .expect(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body).toMatchObject({
        title: 'Stage change target (renamed)',
        stage: 'suspended',
        health: 'inactive',
        healthReason: 'Stage is suspended.',
        countries: ['VN'],
        sectors: ['maritime-security', 'space'],
        version: 2,
      });
      const events = (await eventsOf(ws.id)).filter((e) => !['workstream_created', 'milestone_added'].includes(e.type));
      expect(events.map((e) => [eventTypeName(e.type), e.from, e.to])).toEqual([
        ['workstream.stage_changed', 'implementation', 'suspended'],
        ['workstream.health_changed', 'on_track', 'inactive'],
      ]);
      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } });
      expect(row.healthSince.getTime()).toBeGreaterThan(new Date(ws.healthSince).getTime());
      const audit = await db.prisma.auditEntry.findFirstOrThrow({ where: { entityId: ws.id, action: 'workstream.update' } });
      expect(audit.before).toMatchObject({ stage: 'implementation', countries: ['JP', 'PH'] });
      expect(audit.after).toMatchObject({ stage: 'suspended', countries: ['VN'] });
    });

    it('accepts the id as well as the slug, and W/"n" as well as n', async () => {
      const ws = await create({ title: 'Id and weak etag' });
      await http().patch(`/v1/admin/workstreams/${ws.id}`).set(editor).set('If-Match', 'W/"1"').send({ summary: 'New summary.' }).expect(200);
      const res = await http().patch(`/v1/admin/workstreams/${ws.id}`).set(editor).set('If-Match', '2').send({ source: null }).expect(200);
      expect(res.body).toMatchObject({ version: 3, source: null, summary: 'New summary.' });
    });

    it('a patch that changes nothing writes nothing and keeps the version', async () => {
      const ws = await create({ title: 'No-op target' });
      const before = await rowCounts(db.prisma);
      const res = await http().patch(`/v1/admin/workstreams/${ws.slug}`).set(editor).send({ title: 'No-op target', stage: 'implementation', countries: ['PH', 'JP'], source: createBody().source }).expect(200);
      expect(res.headers.etag).toBe('"1"');
      expect(await rowCounts(db.prisma)).toEqual(before);
    });

    it('answers 409 version_conflict with the current version for a stale If-Match', async () => {
      const ws = await create({ title: 'Stale target' });
      await http().patch(`/v1/admin/workstreams/${ws.slug}`).set(editor).set('If-Match', '"1"').send({ stage: 'finalisation' }).expect(200);
      const before = await rowCounts(db.prisma);
      const res = await http().patch(`/v1/admin/workstreams/${ws.slug}`).set(editor).set('If-Match', '"1"').send({ stage: 'closed' }).expect(409);
      expect(res.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
      expect(await rowCounts(db.prisma)).toEqual(before);
      expect((await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } })).stage).toBe('finalisation');
    });

    it('two concurrent PATCHes with the same If-Match: exactly one wins, the other gets 409', async () => {
      const ws = await create({ title: 'Race target' });
      const results = await Promise.all(
        (['closed', 'cancelled'] as const).map((stage) =>
          http().patch(`/v1/admin/workstreams/${ws.slug}`).set(editor).set('If-Match', '"1"').send({ stage }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)!;
      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } });
      expect(row).toMatchObject({ version: 2, stage: winner.body.stage });
      const stageEvents = (await eventsOf(ws.id)).filter((e) => e.type === 'workstream_stage_changed');
      expect(stageEvents).toHaveLength(1);
      expect(await db.prisma.auditEntry.count({ where: { entityId: ws.id, action: 'workstream.update' } })).toBe(1);
    });

    it('two concurrent milestone completions with the same If-Match: one 200, one 409', async () => {
      const ws = await create({ title: 'Milestone race target' });
      const milestoneId = ws.milestones[1].id;
      const results = await Promise.all(
        [{ status: 'completed' }, { status: 'deferred' }].map((patch) =>
          http().patch(`/v1/admin/milestones/${milestoneId}`).set(editor).set('If-Match', '1').send(patch),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
      expect(await db.prisma.auditEntry.count({ where: { entityId: milestoneId } })).toBe(1);
    });
  });

  describe('PATCH /v1/admin/milestones/{id}', () => {
    it('an editor’s completion writes exactly milestone.completed, workstream.health_changed and one audit entry, in one transaction', async () => {
      // In finalisation, completing the last open milestone completes the workstream (docs/health.md rule 2).
      const ws = await create({ title: 'Completion target', stage: 'finalisation' });
      const milestone = ws.milestones[1];
      const before = await rowCounts(db.prisma);

      // Test-only triggers note which transaction wrote what (the dispatcher updates events later, so xmin would not do).
      await db.prisma.$executeRawUnsafe(`CREATE TABLE test_writes (tbl text, op text, txid bigint)`);
      await db.prisma.$executeRawUnsafe(`CREATE FUNCTION test_log_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO test_writes VALUES (TG_TABLE_NAME, TG_OP, txid_current()); RETURN NULL; END $$`);
      const watched = [['Event', 'INSERT'], ['AuditEntry', 'INSERT'], ['Milestone', 'INSERT OR UPDATE'], ['Workstream', 'INSERT OR UPDATE'], ['Review', 'INSERT']];
      for (const [table, ops] of watched) {
        await db.prisma.$executeRawUnsafe(`CREATE TRIGGER test_log_write AFTER ${ops} ON "${table}" FOR EACH ROW EXECUTE FUNCTION test_log_write()`);
      }
      let res: request.Response;
      let writes: { tbl: string; op: string; txid: string }[];
      try {
        res = await http().patch(`/v1/admin/milestones/${milestone.id}`).set(editor).set('If-Match', '"1"').send({ status: 'completed', evidenceUrl: 'https://example.org/handover' }).expect(200);
        writes = await db.prisma.$queryRawUnsafe(`SELECT tbl, op, txid::text AS txid FROM test_writes ORDER BY tbl`);
      } finally {
        for (const [table] of watched) await db.prisma.$executeRawUnsafe(`DROP TRIGGER test_log_write ON "${table}"`);
        await db.prisma.$executeRawUnsafe(`DROP FUNCTION test_log_write() CASCADE`);
        await db.prisma.$executeRawUnsafe(`DROP TABLE test_writes`);
      }
      expect(writes.map((w) => [w.tbl, w.op])).toEqual([
        ['AuditEntry', 'INSERT'],
        ['Event', 'INSERT'],
        ['Event', 'INSERT'],
        ['Milestone', 'UPDATE'],
        // An edit is a look at the sources: a review, stamped in the same transaction.
        ['Review', 'INSERT'],
        ['Workstream', 'UPDATE'],
      ]);
      expect(new Set(writes.map((w) => w.txid)).size).toBe(1);

      expect(res.headers.etag).toBe('"2"');
      expect(res.body).toMatchObject({ id: milestone.id, status: 'completed', completedOn: day(0), evidenceUrl: 'https://example.org/handover', version: 2 });
      expect(await rowCounts(db.prisma)).toEqual({ ...before, events: before.events + 2, auditEntries: before.auditEntries + 1 });
      const events = (await eventsOf(ws.id)).slice(-2);
      expect(events.map((e) => [eventTypeName(e.type), e.milestoneId, e.from, e.to, e.actor, e.notify])).toEqual(
        expect.arrayContaining([
          ['milestone.completed', milestone.id, 'not_started', 'completed', 'editor-ana', true],
          ['workstream.health_changed', null, 'on_track', 'complete', 'editor-ana', true],
        ]),
      );
      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } });
      expect(row).toMatchObject({ health: 'complete', version: 2 });
      expect(row.lastProgressAt).not.toBeNull();
      const audit = await db.prisma.auditEntry.findFirstOrThrow({ where: { entityId: milestone.id } });
      expect(audit).toMatchObject({ action: 'milestone.update', entityType: 'milestone', actor: 'editor-ana' });
      expect(audit.before).toMatchObject({ status: 'not_started', completedOn: null });
      expect(audit.after).toMatchObject({ status: 'completed', completedOn: day(0) });
    });

    it('a reschedule writes milestone.rescheduled; notify:false is recorded on every event of the write', async () => {
      const ws = await create({ title: 'Reschedule target' });
      const milestone = ws.milestones[1];
      await http().patch(`/v1/admin/milestones/${milestone.id}`).set(editor).send({ dueDate: day(5), notify: false }).expect(200);
      const events = (await eventsOf(ws.id)).filter((e) => !['workstream_created', 'milestone_added'].includes(e.type));
      // Due in 5 days and not started: at risk, within the 14-day warning window.
      expect(events.map((e) => [eventTypeName(e.type), e.from, e.to, e.notify])).toEqual(
        expect.arrayContaining([
          ['milestone.rescheduled', day(120), day(5), false],
          ['workstream.health_changed', 'on_track', 'at_risk', false],
        ]),
      );
      expect(events).toHaveLength(2);
    });

    it('other status changes write milestone.status_changed; un-completing clears completedOn', async () => {
      const ws = await create({ title: 'Status change target' });
      const done = ws.milestones[0];
      const res = await http().patch(`/v1/admin/milestones/${done.id}`).set(editor).send({ status: 'in_progress' }).expect(200);
      expect(res.body).toMatchObject({ status: 'in_progress', completedOn: null });
      const events = (await eventsOf(ws.id)).filter((e) => e.milestoneId === done.id && e.type !== 'milestone_added');
      expect(events.map((e) => [eventTypeName(e.type), e.from, e.to])).toEqual([['milestone.status_changed', 'completed', 'in_progress']]);
    });

    it('a transaction that fails after the milestone update leaves the milestone unchanged and no events', async () => {
      const ws = await create({ title: 'Failing audit target' });
      const milestone = ws.milestones[1];
      const before = await rowCounts(db.prisma);
      const milestoneBefore = await db.prisma.milestone.findUniqueOrThrow({ where: { id: milestone.id } });
      const workstreamBefore = await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } });
      await db.prisma.$executeRawUnsafe(`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit store unavailable (test)'; END $$`);
      await db.prisma.$executeRawUnsafe(`CREATE TRIGGER test_refuse_audit BEFORE INSERT ON "AuditEntry" FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()`);
      try {
        const res = await http().patch(`/v1/admin/milestones/${milestone.id}`).set(editor).send({ status: 'completed' }).expect(500);
        expect(res.body.code).toBe('internal_error');
      } finally {
        await db.prisma.$executeRawUnsafe(`DROP TRIGGER test_refuse_audit ON "AuditEntry"`);
        await db.prisma.$executeRawUnsafe(`DROP FUNCTION test_refuse_audit()`);
      }
      expect(await rowCounts(db.prisma)).toEqual(before);
      expect(await db.prisma.milestone.findUniqueOrThrow({ where: { id: milestone.id } })).toEqual(milestoneBefore);
      expect(await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } })).toEqual(workstreamBefore);
      // And the same request goes through once the audit store is back.
      await http().patch(`/v1/admin/milestones/${milestone.id}`).set(editor).send({ status: 'completed' }).expect(200);
    });
  });

  describe('POST /v1/admin/workstreams/{id}/milestones', () => {
    it('adds at the end, records milestone.added (+ health), bumps the workstream version', async () => {
      const ws = await create({ title: 'Add milestone target', milestones: [] });
      const res = await http()
        .post(`/v1/admin/workstreams/${ws.slug}/milestones`)
        .set(editor)
        .set('If-Match', '"1"')
        .send({ title: '  Survey completed ', dueDate: day(200), plannedStart: day(1), note: 'From the loan agreement.', evidenceUrl: 'http://example.org/e' })
        .expect(201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({ title: 'Survey completed', dueDate: day(200), plannedStart: day(1), status: 'not_started', position: 1, version: 1, workstreamId: ws.id });
      const second = await http().post(`/v1/admin/workstreams/${ws.id}/milestones`).set(editor).send({ title: 'Second', dueDate: day(300) }).expect(201);
      expect(second.body.position).toBe(2);
      const events = (await eventsOf(ws.id)).filter((e) => e.type !== 'workstream_created');
      expect(events.map((e) => [eventTypeName(e.type), e.from, e.to])).toEqual(
        expect.arrayContaining([
          ['milestone.added', null, day(200)],
          ['workstream.health_changed', 'unknown', 'on_track'],
          ['milestone.added', null, day(300)],
        ]),
      );
      expect(events).toHaveLength(3);
      expect((await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } })).version).toBe(3);
      const stale = await http().post(`/v1/admin/workstreams/${ws.slug}/milestones`).set(editor).set('If-Match', '"1"').send({ title: 'Third', dueDate: day(300) }).expect(409);
      expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: 3 });
    });
  });

  describe('DELETE /v1/admin/workstreams/{id|slug}', () => {
    it('archives (admins): 204, audited, then 404 on admin writes; the slug stays taken', async () => {
      const ws = await create({ title: 'Archive target' });
      await http().delete(`/v1/admin/workstreams/${ws.slug}`).set(editor).expect(403);
      await http().delete(`/v1/admin/workstreams/${ws.slug}`).set(bearer(BOOTSTRAP)).set('If-Match', '"7"').expect(409);
      await http().delete(`/v1/admin/workstreams/${ws.slug}`).set(bearer(BOOTSTRAP)).set('If-Match', '"1"').expect(204);
      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } });
      expect(row.archivedAt).not.toBeNull();
      expect(await db.prisma.auditEntry.count({ where: { entityId: ws.id, action: 'workstream.archive', actor: 'bootstrap' } })).toBe(1);

      await http().delete(`/v1/admin/workstreams/${ws.slug}`).set(bearer(BOOTSTRAP)).expect(404);
      await http().patch(`/v1/admin/workstreams/${ws.id}`).set(editor).send({ stage: 'closed' }).expect(404);
      await http().post(`/v1/admin/workstreams/${ws.slug}/milestones`).set(editor).send({ title: 'x', dueDate: day(3) }).expect(404);
      await http().patch(`/v1/admin/milestones/${ws.milestones[0].id}`).set(editor).send({ note: 'x' }).expect(404);
      await http().get(`/v1/workstreams/${ws.slug}`).expect(404);
      expect((await create({ title: 'Archive target', milestones: [] })).slug).toBe('archive-target-2');
    });
  });

  describe('reviews and date precision', () => {
    it('POST …/reviews records a review, stamps the workstream and keeps the review; a bad body changes nothing', async () => {
      const ws = await create({ title: 'Review target' });
      const res = await http()
        .post(`/v1/admin/workstreams/${ws.slug}/reviews`)
        .set(editor)
        .send({ note: 'Checked MOFA and JICA press releases: nothing new.', evidence: [{ url: 'https://example.org/press', title: 'Press release' }] })
        .expect(201);
      expect(res.body).toMatchObject({ workstream: ws.slug, reviewer: 'editor-ana', note: 'Checked MOFA and JICA press releases: nothing new.', health: 'on_track' });
      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } });
      expect(row.lastReviewedAt?.toISOString()).toBe(res.body.reviewedAt);
      expect(row).toMatchObject({ lastReviewedBy: 'editor-ana', lastReviewNote: 'Checked MOFA and JICA press releases: nothing new.' });
      const reviews = await db.prisma.review.findMany({ where: { workstreamId: ws.id }, orderBy: { reviewedAt: 'asc' } });
      expect(reviews.map((r) => r.kind)).toEqual(['change', 'review']);
      expect(reviews[1].evidence).toEqual([{ url: 'https://example.org/press', title: 'Press release' }]);

      const before = await rowCounts(db.prisma);
      const reviewsBefore = await db.prisma.review.count();
      for (const bad of [{}, { note: '' }, { note: '   ' }, { note: 'x'.repeat(2001) }, { note: 'ok', evidence: [{ url: 'javascript:alert(1)' }] }, { note: 'ok', extra: 1 }]) {
        const refused = await http().post(`/v1/admin/workstreams/${ws.slug}/reviews`).set(editor).send(bad);
        expect([400, 422]).toContain(refused.status);
        expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(refused.body.code).toEqual(expect.any(String));
      }
      expect((await http().post('/v1/admin/workstreams/no-such-workstream/reviews').set(editor).send({ note: 'x' })).status).toBe(404);
      expect((await http().post(`/v1/admin/workstreams/${ws.slug}/reviews`).send({ note: 'x' })).status).toBe(401);
      expect(await rowCounts(db.prisma)).toEqual(before);
      expect(await db.prisma.review.count()).toBe(reviewsBefore);
    });

    it('GET /v1/admin/reviews/due lists what nobody checked within the window, the longest unreviewed first', async () => {
      const fresh = await create({ title: 'Freshly reviewed' });
      const old = await create({ title: 'Reviewed long ago' });
      const older = await create({ title: 'Reviewed even longer ago' });
      await db.prisma.workstream.update({ where: { id: old.id }, data: { lastReviewedAt: new Date(Date.now() - 100 * 86_400_000) } });
      await db.prisma.workstream.update({ where: { id: older.id }, data: { lastReviewedAt: new Date(Date.now() - 200 * 86_400_000) } });
      const res = await http().get('/v1/admin/reviews/due').set(editor).expect(200);
      const slugs = res.body.items.map((i: { slug: string }) => i.slug);
      expect(res.body.reviewDays).toBe(90);
      expect(slugs).not.toContain(fresh.slug);
      expect(slugs.indexOf(older.slug)).toBeLessThan(slugs.indexOf(old.slug));
      expect(slugs.indexOf(older.slug)).toBeGreaterThanOrEqual(0);
      const publicView = await http().get(`/v1/workstreams/${old.slug}`).expect(200);
      expect(publicView.body.reviewDue).toBe(true);
      expect((await http().get(`/v1/workstreams/${fresh.slug}`).expect(200)).body.reviewDue).toBe(false);
      expect((await http().get('/v1/admin/reviews/due?limit=0').set(editor)).status).toBe(400);
    });

    it('takes a date with its precision, refuses one that is not its period\'s last day, and words events with it', async () => {
      const ws = await create({
        title: 'Precision target',
        milestones: [{ title: 'Vessel delivered', dueDate: '2028-03-31', datePrecision: 'month', dateBasis: 'planned' }],
      });
      expect(ws.milestones[0]).toMatchObject({ dueDate: '2028-03-31', datePrecision: 'month' });
      const before = await rowCounts(db.prisma);
      const refused = await http()
        .post('/v1/admin/workstreams')
        .set(editor)
        .send(createBody({ title: 'Bad precision', milestones: [{ title: 'X', dueDate: '2028-03-15', datePrecision: 'month' }] }));
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0]).toMatchObject({ field: 'milestones.0.dueDate', code: 'date_precision_mismatch' });
      expect(await rowCounts(db.prisma)).toEqual(before);

      const moved = await http()
        .patch(`/v1/admin/milestones/${ws.milestones[0].id}`)
        .set(editor)
        .send({ dueDate: '2028-06-30', datePrecision: 'quarter' })
        .expect(200);
      expect(moved.body).toMatchObject({ dueDate: '2028-06-30', datePrecision: 'quarter' });
      const event = (await eventsOf(ws.id)).find((e) => eventTypeName(e.type) === 'milestone.rescheduled')!;
      expect(event.reason).toBe('"Vessel delivered" rescheduled from March 2028 to Q2 2028.');
      const bad = await http().patch(`/v1/admin/milestones/${ws.milestones[0].id}`).set(editor).send({ datePrecision: 'year' });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0]).toMatchObject({ field: 'dueDate', code: 'date_precision_mismatch' });
    });
  });

  describe('POST /v1/admin/import', () => {
    const item = (title: string, overrides: Record<string, unknown> = {}) => {
      const { ...body } = createBody({ title, ...overrides });
      return body;
    };

    it('imports all in one transaction and answers counts and slugs', async () => {
      const before = await rowCounts(db.prisma);
      const res = await http()
        .post('/v1/admin/import')
        .set(editor)
        .send({ notify: false, workstreams: [item('Imported one'), item('Imported one'), item('Imported three', { slug: 'imported-explicit', milestones: [] })] })
        .expect(201);
      expect(res.body).toMatchObject({ workstreams: 3, milestones: 4, events: 3 + 4 });
      expect(res.body.created.map((c: { index: number; slug: string }) => [c.index, c.slug])).toEqual([
        [0, 'imported-one'],
        [1, 'imported-one-2'],
        [2, 'imported-explicit'],
      ]);
      expect(await rowCounts(db.prisma)).toEqual({
        workstreams: before.workstreams + 3,
        milestones: before.milestones + 4,
        events: before.events + 7,
        auditEntries: before.auditEntries + 3,
        countries: before.countries + 6,
        sectors: before.sectors + 3,
      });
      const events = await db.prisma.event.findMany({ where: { workstreamId: { in: res.body.created.map((c: { id: string }) => c.id) } } });
      expect(events.every((e) => e.notify === false)).toBe(true);
    });

    it('all or nothing: one bad item writes nothing and its index is named', async () => {
      const before = await rowCounts(db.prisma);
      const res = await http()
        .post('/v1/admin/import')
        .set(editor)
        .send({ workstreams: [item('Fine one'), item('Bad one', { countries: ['PH', 'ZZ'] }), item('Bad two', { milestones: [{ title: 'x', dueDate: day(1), plannedStart: day(2) }] })] })
        .expect(422);
      expect(res.body.code).toBe('invalid_dates');
      expect(res.body.errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
        ['workstreams.2.milestones.0.dueDate', 'invalid_dates'],
        ['workstreams.1.countries.1', 'unknown_country'],
      ]);
      expect(await rowCounts(db.prisma)).toEqual(before);

      const duplicate = await http().post('/v1/admin/import').set(editor).send({ workstreams: [item('A', { slug: 'same-slug' }), item('B', { slug: 'same-slug' })] }).expect(409);
      expect(duplicate.body).toMatchObject({ code: 'slug_taken', field: 'workstreams.1.slug' });
      const invalid = await http().post('/v1/admin/import').set(editor).send({ workstreams: [item('A'), { ...item('B'), extra: true }] }).expect(400);
      expect(invalid.body.errors[0]).toMatchObject({ field: 'workstreams.1.extra', code: 'unknown_field' });
      expect(await rowCounts(db.prisma)).toEqual(before);
    });

    it('refuses more than 500 workstreams', async () => {
      const res = await http()
        .post('/v1/admin/import')
        .set(editor)
        .send({ workstreams: Array.from({ length: 501 }, (_, i) => ({ title: `W${i}`, summary: 's', summit, countries: ['PH'], sectors: ['space'], instrument: 'other', stage: 'pipeline' })) })
        .expect(400);
      expect(res.body.errors[0]).toMatchObject({ field: 'workstreams', code: 'too_big' });
    });

    it('imports 500 workstreams with milestones well within the time limit', async () => {
      const workstreams = Array.from({ length: 500 }, (_, i) => ({
        title: `Bulk workstream ${i}`,
        summary: 'Bulk.',
        summit,
        countries: ['PH'],
        sectors: ['space'],
        instrument: 'other',
        stage: 'pipeline',
        milestones: [
          { title: 'a', dueDate: day(30) },
          { title: 'b', dueDate: day(60) },
        ],
      }));
      const started = Date.now();
      const res = await http().post('/v1/admin/import').set(editor).send({ workstreams }).expect(201);
      expect(res.body).toMatchObject({ workstreams: 500, milestones: 1000, events: 1500 });
      expect(Date.now() - started).toBeLessThan(30_000);
    });
  });

  describe('text and URLs as stored', () => {
    it('refuses bidirectional controls in a one-line field with 422 naming it, and nothing is written', async () => {
      const before = await db.prisma.workstream.count();
      for (const [body, field] of [
        [createBody({ title: 'Patrol \u202evessels' }), 'title'],
        [createBody({ title: 'Isolated \u2066x\u2069' }), 'title'],
        [createBody({ milestones: [{ title: 'Mark\u200f', dueDate: day(10) }] }), 'milestones.0.title'],
        [createBody({ source: { quote: 'q', title: 'T\u061c', date: '2023-12-17' } }), 'source.title'],
      ] as const) {
        const res = await http().post('/v1/admin/workstreams').set(editor).send(body).expect(422);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'bidi_control', errors: [{ field, code: 'bidi_control' }] });
      }
      expect(await db.prisma.workstream.count()).toBe(before);
    });

    it('strips them from multi-line fields, and stores URLs in their WHATWG serialisation', async () => {
      const ws = await create({
        title: 'Normalised vessels',
        summary: 'Five \u202evessels\n\u2067delivered\u2069.',
        source: { quote: 'Japan will \u200eprovide.', title: 'Joint Statement', url: 'HTTPS://Example.ORG:443/a/../joint?q=a b#x', date: '2023-12-17' },
        milestones: [{ title: 'Handover', dueDate: day(30), evidenceUrl: 'http://EXAMPLE.org:80/%7efleet' }],
      });
      const stored = await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id }, include: { milestones: true } });
      expect(stored.summary).toBe('Five vessels\ndelivered.');
      expect(stored.source).toMatchObject({ quote: 'Japan will provide.', url: 'https://example.org/joint?q=a%20b#x' });
      expect(stored.milestones[0].evidenceUrl).toBe('http://example.org/%7efleet');
    });
  });

  it('answered every request above as its OpenAPI schema says', () => {
    expect(contract.violations).toEqual([]);
    expect(contract.count).toBeGreaterThan(10);
  });
});
