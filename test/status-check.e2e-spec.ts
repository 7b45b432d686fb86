import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { humanDay } from '@pledgewatch/dates';
import { HEALTH_RULES_VERSION, StatusCheckService } from '@pledgewatch/status';
import { bootWorker } from './support/alerts-harness';
import { bootApi } from './support/api';
import { eventually } from './support/eventually';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { createTestDatabase, TestDatabase } from './support/database';
import { Factories, factories, uniqueSlug } from './support/factories';
import { eventLog, isoDay, utcDay } from './support/status-harness';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_KEY = 'status-check-e2e-admin-key-0123456789';
const auth = { Authorization: `Bearer ${ADMIN_KEY}` };

/**
 * The status check against the real API app and database, with a clock the test controls: the
 * check runs as of chosen instants; editors write through the admin API at the real now, so the
 * story is anchored on today. Default windows: warning 14 days, grace 7, stall 180.
 */
describe('status check', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let check: StatusCheckService;
  let f: Factories;
  const prefix = testQueuePrefix('status-check');
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase('pw_status_check');
    f = factories(db.prisma);
    app = await bootApi(db.url, { QUEUE_PREFIX: prefix, ADMIN_API_KEY: ADMIN_KEY, REDIS_URL });
    check = app.get(StatusCheckService);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await dropQueueKeys(prefix, REDIS_URL);
  });

  describe('through the life of a workstream', () => {
    // The first milestone falls due nine days before today, so "today" is one day past grace + 1.
    const due = utcDay(-9);
    const at = (daysFromDue: number) => new Date(due.getTime() + daysFromDue * 86_400_000 + 7 * 3_600_000);
    const review = (slug: string) =>
      http().post(`/v1/admin/workstreams/${slug}/reviews`).set(auth).send({ note: 'Checked MOFA Japan: no exchange of notes reported.' }).expect(201);
    const patchMilestone = (id: string) =>
      http().patch(`/v1/admin/milestones/${id}`).set(auth).send({ status: 'completed', completedOn: isoDay(utcDay(0)) }).expect(200);

    interface Life {
      id: string;
      slug: string;
      milestoneIds: string[];
      health(): Promise<string>;
      /** The workstream's events since the last call, as short strings. */
      newEvents(): Promise<string[]>;
    }
    /** The story so far, step by step: each test replays the steps before its own on a workstream of its own. */
    const STEPS: ((life: Life) => Promise<unknown>)[] = [
      () => check.run({ asOf: at(-20) }),
      () => check.run({ asOf: at(-10) }),
      async () => {
        await check.run({ asOf: at(1) });
        await check.run({ asOf: at(2) });
      },
      async () => {
        await check.run({ asOf: at(7) });
        await check.run({ asOf: at(8) });
      },
      (life) => review(life.slug),
      (life) => patchMilestone(life.milestoneIds[0]),
      (life) => patchMilestone(life.milestoneIds[1]),
      (life) => http().patch(`/v1/admin/workstreams/${life.slug}`).set(auth).send({ stage: 'finalisation' }).expect(200),
    ];
    async function lifeAfter(steps: number): Promise<Life> {
      const slug = uniqueSlug('coast-guard-vessels');
      const ws = await f.workstream({
        slug,
        createdAt: utcDay(-40),
        milestones: [
          { dateBasis: 'planned', title: 'Exchange of notes', dueDate: due },
          { dateBasis: 'planned', title: 'Vessels delivered', dueDate: utcDay(60) },
        ],
      });
      const life: Life = {
        ...ws,
        slug,
        health: async () => (await db.prisma.workstream.findUniqueOrThrow({ where: { id: ws.id } })).health,
        newEvents: eventLog(db.prisma, { workstreamId: ws.id }),
      };
      for (const step of STEPS.slice(0, steps)) await step(life);
      await life.newEvents();
      return life;
    }

    it('not started, due in 20 days: on track', async () => {
      const life = await lifeAfter(0);
      await check.run({ asOf: at(-20) });
      expect(await life.health()).toBe('on_track');
      expect(await life.newEvents()).toEqual(['workstream.health_changed unknown→on_track']);
    });

    it('due inside the warning window and not started: at risk', async () => {
      const life = await lifeAfter(1);
      await check.run({ asOf: at(-10) });
      expect(await life.health()).toBe('at_risk');
      expect(await life.newEvents()).toEqual(['workstream.health_changed on_track→at_risk']);
    });

    it('a day past due: the milestone is flagged overdue once; health stays at risk (within grace)', async () => {
      const life = await lifeAfter(2);
      await check.run({ asOf: at(1) });
      expect(await life.health()).toBe('at_risk');
      expect(await life.newEvents()).toEqual(['milestone.overdue Exchange of notes not_started→overdue']);
      await check.run({ asOf: at(2) });
      expect(await life.newEvents()).toEqual([]);
    });

    it('overdue past the grace period with nobody having looked: at risk, awaiting review; no second overdue event', async () => {
      const life = await lifeAfter(3);
      await check.run({ asOf: at(7) });
      expect(await life.newEvents()).toEqual([]); // exactly the grace period: still within it
      await check.run({ asOf: at(8) });
      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: life.id } });
      expect(row.health).toBe('at_risk');
      // Same colour, new ground: the reason is rewritten, and nobody is alerted.
      expect(row.healthReason).toBe(`"Exchange of notes" was due ${humanDay(isoDay(due))} (planned date); no outcome recorded; awaiting review.`);
      expect(await life.newEvents()).toEqual([]);
      await expect(check.run({ asOf: at(8) })).resolves.toMatchObject({ events: 0 });
      expect(await life.newEvents()).toEqual([]);
    });

    it('an editor reviews it and finds no outcome: off track, naming the review; the check adds nothing', async () => {
      const life = await lifeAfter(4);
      const res = await review(life.slug);
      expect(res.body).toMatchObject({ health: 'off_track', reviewer: 'bootstrap', note: 'Checked MOFA Japan: no exchange of notes reported.' });
      expect(res.body.healthReason).toBe(`"Exchange of notes" was due ${humanDay(isoDay(due))} (planned date); no outcome found at review on ${humanDay(isoDay(utcDay(0)))}.`);
      expect(await life.newEvents()).toEqual(['workstream.health_changed at_risk→off_track']);
      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: life.id } });
      expect(row.lastReviewNote).toBe('Checked MOFA Japan: no exchange of notes reported.');
      await check.run();
      expect(await life.newEvents()).toEqual([]);
    });

    it('the editor completes the milestone: on track again, with its own events; the check adds none', async () => {
      const life = await lifeAfter(5);
      await patchMilestone(life.milestoneIds[0]);
      expect(await life.health()).toBe('on_track');
      expect(await life.newEvents()).toEqual([
        'milestone.completed Exchange of notes overdue→completed',
        'workstream.health_changed off_track→on_track',
      ]);
      await check.run();
      expect(await life.newEvents()).toEqual([]);
    });

    it('the last milestone completed in implementation: on track, nothing further scheduled', async () => {
      const life = await lifeAfter(6);
      await patchMilestone(life.milestoneIds[1]);
      const row = await db.prisma.workstream.findUniqueOrThrow({ where: { id: life.id } });
      expect(row).toMatchObject({ health: 'on_track', healthReason: `Progress recorded on ${humanDay(isoDay(utcDay(0)))}; nothing scheduled ahead.` });
      expect(await life.newEvents()).toEqual(['milestone.completed Vessels delivered not_started→completed']);
      await check.run();
      expect(await life.newEvents()).toEqual([]);
    });

    it('then stage finalisation: complete', async () => {
      const life = await lifeAfter(7);
      await http().patch(`/v1/admin/workstreams/${life.slug}`).set(auth).send({ stage: 'finalisation' }).expect(200);
      expect(await life.health()).toBe('complete');
      expect((await life.newEvents()).sort()).toEqual([
        'workstream.health_changed on_track→complete',
        'workstream.stage_changed implementation→finalisation',
      ]);
      await check.run();
      expect(await life.newEvents()).toEqual([]);
    });

    it('answers health as of a date from that history', async () => {
      const life = await lifeAfter(STEPS.length);
      const asOf = async (date: Date) => {
        const res = await http().get(`/v1/workstreams/${life.slug}?asOf=${isoDay(date)}`).expect(200);
        return [res.body.health, res.body.healthSource];
      };
      expect(await asOf(at(-25))).toEqual(['on_track', 'computed']); // before the first check: the rules over the rows
      expect(await asOf(at(-20))).toEqual(['on_track', 'history']);
      expect(await asOf(at(-11))).toEqual(['on_track', 'history']);
      expect(await asOf(at(-10))).toEqual(['at_risk', 'history']);
      expect(await asOf(at(1))).toEqual(['at_risk', 'history']);
      expect(await asOf(at(7))).toEqual(['at_risk', 'history']);
      expect(await asOf(at(8))).toEqual(['at_risk', 'history']);
      expect(await asOf(utcDay(0))).toEqual(['complete', 'history']);

      // The history and the answers agree, event by event.
      const changes = await db.prisma.event.findMany({
        where: { workstreamId: life.id, type: 'workstream_health_changed' },
        orderBy: { occurredAt: 'asc' },
      });
      for (const change of changes) {
        const res = await http().get(`/v1/workstreams/${life.slug}?asOf=${isoDay(change.occurredAt)}`).expect(200);
        const laterSameDay = changes.filter((c) => isoDay(c.occurredAt) === isoDay(change.occurredAt)).at(-1)!;
        expect(res.body).toMatchObject({ health: laterSameDay.to, healthReason: laterSameDay.reason });
      }
      const plain = await http().get(`/v1/workstreams/${life.slug}`).expect(200);
      expect(plain.body.health).toBe('complete');
      expect(plain.body.healthSource).toBeUndefined();
    });

    it('refuses an asOf that is not a date', async () => {
      const life = await lifeAfter(0);
      for (const bad of ['2026-02-30', 'yesterday', '2026-11-28T00:00:00Z']) {
        const res = await http().get(`/v1/workstreams/${life.slug}?asOf=${bad}`).expect(400);
        expect(res.body.errors[0]).toMatchObject({ field: 'asOf' });
      }
    });
  });

  describe('a change of the rules', () => {
    it('is written quietly by the first check under the new rules: recorded, nobody alerted; the next changes alert again', async () => {
      await check.run(); // whatever earlier tests left is judged under the current rules first
      // A verdict stored under the earlier rules: "stalled" for a workstream nobody has reviewed.
      const ws = await f.workstream({
        slug: 'judged-under-old-rules',
        createdAt: utcDay(-400),
        health: 'stalled',
        milestones: [{ dateBasis: 'sourced', title: 'Notes exchanged', dueDate: utcDay(-300), status: 'completed', completedOn: utcDay(-300) }],
      });
      await db.prisma.statusCheckRun.updateMany({ data: { rulesVersion: 2 } });
      const quiet = await check.run();
      expect(quiet.healthChanged).toBe(1);
      const revised = await db.prisma.event.findFirstOrThrow({ where: { workstreamId: ws.id, type: 'workstream_health_changed' } });
      expect(revised).toMatchObject({ from: 'stalled', to: 'unknown', notify: false });
      expect(revised.reason).toMatch(/^Health rules revised: Nothing scheduled ahead; last progress .*; never reviewed\.$/);
      expect((await db.prisma.statusCheckRun.findFirstOrThrow({ orderBy: { finishedAt: 'desc' } })).rulesVersion).toBe(HEALTH_RULES_VERSION);

      // Under the same rules, the next change is news again.
      await http().post(`/v1/admin/workstreams/${ws.slug}/reviews`).set(auth).send({ note: 'Checked: nothing since.' }).expect(201);
      const news = await db.prisma.event.findMany({ where: { workstreamId: ws.id, type: 'workstream_health_changed' }, orderBy: { occurredAt: 'asc' } });
      expect(news.at(-1)).toMatchObject({ from: 'unknown', to: 'stalled', notify: true });
      await expect(check.run()).resolves.toMatchObject({ healthChanged: 0 });
    });
  });

  describe('idempotence', () => {
    it('a second run over unchanged data writes zero events', async () => {
      await f.workstream({
        slug: 'grant-aid',
        createdAt: utcDay(-400),
        milestones: [
          { dateBasis: 'planned', title: 'Grant signed', dueDate: utcDay(-100), status: 'in_progress' },
          { dateBasis: 'planned', title: 'Radar installed', dueDate: utcDay(5) },
        ],
      });
      const first = await check.run();
      expect(first.events).toBeGreaterThan(0);
      const before = await db.prisma.event.count();
      await expect(check.run()).resolves.toMatchObject({ events: 0, milestonesOverdue: 0, healthChanged: 0 });
      await expect(check.run({ asOf: new Date(Date.now() + 60_000) })).resolves.toMatchObject({ events: 0 });
      expect(await db.prisma.event.count()).toBe(before);
    });

    it('future-dated milestones write nothing, run after run', async () => {
      const ws = await f.workstream({
        slug: 'future-only',
        createdAt: utcDay(-10),
        lastProgressAt: utcDay(-1),
        milestones: [
          { dateBasis: 'planned', title: 'Dialogue launched', dueDate: utcDay(90), status: 'in_progress' },
          { dateBasis: 'planned', title: 'Report published', dueDate: utcDay(200) },
        ],
      });
      // Its first verdict is the one health change it ever gets; after that, silence.
      await check.run();
      const newEvents = eventLog(db.prisma, { workstreamId: ws.id });
      await newEvents();
      for (let hour = 1; hour <= 5; hour++) await check.run({ asOf: new Date(Date.now() + hour * 3_600_000) });
      expect(await newEvents()).toEqual([]);
      expect(await db.prisma.milestone.count({ where: { workstreamId: ws.id, status: 'overdue' } })).toBe(0);
    });
  });

  it('answers lastCheckedAt from the latest run, for workstreams that existed by then', async () => {
    await f.workstream({ slug: 'grant-aid-checked', createdAt: utcDay(-400), milestones: [{ dateBasis: 'planned', title: 'Grant signed', dueDate: utcDay(-100) }] });
    const { asOf } = await check.run();
    await f.workstream({ slug: 'after-the-check', createdAt: new Date(Date.now() + 1_000), milestones: [] });
    const detail = await http().get('/v1/workstreams/grant-aid-checked').expect(200);
    expect(detail.body.lastCheckedAt).toBe(asOf);
    const list = await http().get('/v1/workstreams?limit=100').expect(200);
    const bySlug = new Map(list.body.items.map((item: { slug: string; lastCheckedAt: string | null }) => [item.slug, item.lastCheckedAt]));
    expect(bySlug.get('grant-aid-checked')).toBe(asOf);
    expect(bySlug.get('after-the-check')).toBeNull();
  });

  describe('POST /v1/admin/checks', () => {
    it('dryRun answers what would change, with the changes, and writes nothing', async () => {
      await check.run(); // whatever earlier tests left is checked as of now: the changes below are this test's
      await f.workstream({
        slug: 'port-upgrade',
        createdAt: utcDay(-300),
        milestones: [{ dateBasis: 'planned', title: 'Dredging', dueDate: utcDay(-30), status: 'in_progress' }],
      });
      const snapshot = async () => ({
        events: await db.prisma.event.count(),
        runs: await db.prisma.statusCheckRun.count(),
        workstreams: await db.prisma.workstream.findMany({ select: { id: true, health: true, healthReason: true, healthSince: true }, orderBy: { id: 'asc' } }),
        milestones: await db.prisma.milestone.findMany({ select: { id: true, status: true, updatedAt: true }, orderBy: { id: 'asc' } }),
      });
      const before = await snapshot();

      const res = await http().post('/v1/admin/checks').set(auth).send({ dryRun: true }).expect(200);
      expect(res.body).toMatchObject({ dryRun: true, events: 2, milestonesOverdue: 1, healthChanged: 1 });
      expect(res.body.checked).toBe(before.workstreams.length);
      expect(res.body.changes).toEqual([
        // Thirty days past an announced date and nobody has looked since: at risk, awaiting review.
        expect.objectContaining({ type: 'workstream.health_changed', workstreamSlug: 'port-upgrade', from: 'unknown', to: 'at_risk' }),
        expect.objectContaining({ type: 'milestone.overdue', workstreamSlug: 'port-upgrade', from: 'in_progress', to: 'overdue' }),
      ]);
      expect(await snapshot()).toEqual(before);

      // The real run is queued, answered at once, and done by the worker's status.check job.
      const queued = await http().post('/v1/admin/checks').set(auth).send({}).expect(202);
      expect(queued.body).toMatchObject({ id: expect.stringMatching(/^admin-/), status: 'queued', trigger: 'admin', finishedAt: null });
      expect(queued.headers.location).toBe(`/v1/admin/checks/${queued.body.id}`);
      expect(await db.prisma.event.count()).toBe(before.events);
      const worker = await bootWorker({ NODE_ENV: 'test', SCHEDULES_ENABLED: 'false', LOG_LEVEL: 'error', DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix });
      try {
        const done = await eventually(async () => {
          const status = await http().get(queued.headers.location).set(auth).expect(200);
          return status.body.status === 'completed' && status.body;
        }, 15_000, 'the queued check');
        // It did what the dry run said.
        expect(done).toMatchObject({ id: queued.body.id, trigger: 'admin', checked: res.body.checked, events: 2, milestonesOverdue: 1, healthChanged: 1 });
        expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
        expect(await db.prisma.event.count()).toBe(before.events + 2);
      } finally {
        await worker.close();
      }
      expect((await http().get('/v1/admin/checks/admin-1999-01-01T000000Z').set(auth).expect(404)).body.code).toBeDefined();
    });

    it('dryRun as of a later date previews that day without writing', async () => {
      const ws = await f.workstream({
        slug: 'cable-landing',
        createdAt: utcDay(-30),
        milestones: [{ dateBasis: 'planned', title: 'Survey', dueDate: utcDay(40), status: 'in_progress' }],
      });
      await check.run();
      const events = await db.prisma.event.count();
      const res = await http().post('/v1/admin/checks').set(auth).send({ dryRun: true, asOf: isoDay(utcDay(50)) }).expect(200);
      expect(res.body.changes.filter((c: { workstreamId: string }) => c.workstreamId === ws.id)).toEqual([
        expect.objectContaining({ type: 'workstream.health_changed', from: 'on_track', to: 'at_risk' }),
        expect.objectContaining({ type: 'milestone.overdue', from: 'in_progress', to: 'overdue' }),
      ]);
      expect(await db.prisma.event.count()).toBe(events);
    });

    it('refuses a backdated real run, bad fields and callers without a key', async () => {
      const backdated = await http().post('/v1/admin/checks').set(auth).send({ asOf: '2026-01-01' }).expect(422);
      expect(backdated.body.code).toBe('as_of_requires_dry_run');
      const bad = await http().post('/v1/admin/checks').set(auth).send({ dryRun: 'yes', colour: 1 }).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['colour', 'dryRun']);
      await http().post('/v1/admin/checks').send({}).expect(401);
    });
  });
});
