import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HealthWindows, loadConfig } from '@pledgewatch/config';
import { Health, Prisma, PrismaClient } from '@pledgewatch/database';
// eslint-disable-next-line no-restricted-imports -- the check's SQL statements, internal to the library, run here on the seed directly
import { flipOverdueMilestones, recomputeHealth } from '../libs/status/src/status-check.sql';
import { renderDataDoc } from '../prisma/data-doc';
import { milestoneId, seed, SeedSummary, workstreamId } from '../prisma/seed';
import { FOLDED_WORKSTREAMS, SECTORS, SUMMIT, WORKSTREAMS } from '../prisma/seed-data';
import { createTestDatabase, TestDatabase } from './support/database';

const AS_OF = new Date('2026-12-07T12:00:00Z');
/** The default windows (warning 14 days, grace 7, stall 180), whatever the environment says. */
const DEFAULT_WINDOWS = loadConfig({}).healthWindows;

/**
 * Every seeded workstream's health as of 2026-12-07 with the default windows, and why: a data
 * change that flips a verdict, or changes its reason, shows up here as a diff. docs/DATA.md says
 * the same in prose (checked below).
 */
const HEALTH_AS_OF_2026_12_07: [slug: string, health: Health, reason: string][] = [
  ['asean-japan-comprehensive-strategic-partnership', 'at_risk', '"29th ASEAN–Japan Summit at the 49th ASEAN Summit and related summits, Pasay (Manila)" was due 12 November 2026 (planned date); no outcome recorded; awaiting review.'],
  ['japan-malaysia-comprehensive-strategic-partnership', 'at_risk', '"JCG–MMEA cooperation document signed": assumed date 26 October 2025 passed; no outcome recorded (an assumed date is at risk at most).'],
  ['japan-timor-leste-comprehensive-partnership', 'at_risk', '"First OSA exchange of notes for Timor-Leste": assumed date 31 March 2026 passed; no outcome recorded (an assumed date is at risk at most).'],
  ['japan-brunei-strategic-partnership', 'complete', 'Stage is closed.'],
  ['japan-viet-nam-comprehensive-strategic-partnership', 'on_track', 'Next: "Second vice-ministerial "2+2" consultation", due 31 December 2027 (assumed date).'],
  ['official-security-assistance-viet-nam', 'on_track', 'Next: "First OSA exchange of notes for Viet Nam", due 31 March 2027 (assumed date).'],
  ['japan-philippines-coast-guard-cooperation', 'on_track', 'Next: "Five 97-m patrol ships delivered", due 2028 (planned date).'],
  ['japan-philippines-reciprocal-access-agreement', 'complete', 'Stage is closed.'],
  ['japan-philippines-acquisition-and-cross-servicing-agreement', 'on_track', 'Next: "ACSA enters into force (after ratification by both sides)", due 31 March 2027 (assumed date).'],
  ['official-security-assistance-philippines', 'on_track', 'Next: "FY2024 OSA equipment handed over", due 31 March 2027 (assumed date).'],
  ['japan-cambodia-senior-defence-dialogue', 'at_risk', '"Exchange of military attachés": assumed date 2025 passed; no outcome recorded (an assumed date is at risk at most).'],
  ['patrol-vessel-indonesia-bakamla', 'on_track', 'Next: "Vessel completed and delivered to Bakamla", due March 2028 (planned date).'],
  ['official-security-assistance-malaysia', 'on_track', 'Next: "Remaining equipment delivered: the rest of the UAVs and two road-cleaning lorries", due 31 December 2026 (assumed date).'],
  ['official-security-assistance-programme', 'on_track', 'Next: "FY2026 OSA (¥18.1 bn, 10–12 countries reported) committed: recipients named and notes exchanged", due 31 March 2027 (assumed date).'],
  ['asean-japan-economic-co-creation-supply-chains', 'unknown', 'Nothing scheduled ahead; last progress 16 December 2023; not reviewed since 17 December 2023.'],
  ['asia-zero-emission-community', 'at_risk', '"Fourth AZEC Leaders Meeting": assumed date 12 November 2026 passed; no outcome recorded (an assumed date is at risk at most).'],
  ['asean-japan-people-to-people-exchange', 'on_track', 'Next: "WA Project 2.0 ten-year period ends", due 2033 (planned date).'],
];
const isoDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** Every row the seed writes, in a stable order; updatedAt is bookkeeping, not content. */
async function dump(prisma: PrismaClient) {
  const withoutUpdatedAt = <T extends { updatedAt: Date }>(rows: T[]) => rows.map(({ updatedAt: _, ...rest }) => rest);
  return {
    countries: await prisma.country.findMany({ orderBy: { code: 'asc' } }),
    sectors: await prisma.sector.findMany({ orderBy: { slug: 'asc' } }),
    summits: await prisma.summit.findMany({ orderBy: { id: 'asc' } }),
    summitSources: await prisma.summitSource.findMany({ orderBy: { id: 'asc' } }),
    workstreams: withoutUpdatedAt(await prisma.workstream.findMany({ orderBy: { id: 'asc' } })),
    workstreamCountries: await prisma.workstreamCountry.findMany({ orderBy: [{ workstreamId: 'asc' }, { countryCode: 'asc' }] }),
    workstreamSectors: await prisma.workstreamSector.findMany({ orderBy: [{ workstreamId: 'asc' }, { sectorSlug: 'asc' }] }),
    milestones: withoutUpdatedAt(await prisma.milestone.findMany({ orderBy: { id: 'asc' } })),
    events: await prisma.event.findMany({ orderBy: { id: 'asc' } }),
  };
}

async function counts(prisma: PrismaClient) {
  return {
    workstreams: await prisma.workstream.count(),
    workstreamCountries: await prisma.workstreamCountry.count(),
    milestones: await prisma.milestone.count(),
    subscribers: await prisma.subscriber.count(),
    events: await prisma.event.count(),
  };
}

describe('prisma/seed', () => {
  let db: TestDatabase;
  let first: SeedSummary;
  let second: SeedSummary;
  let afterFirst: Awaited<ReturnType<typeof dump>>;
  let afterSecond: Awaited<ReturnType<typeof dump>>;

  beforeAll(async () => {
    db = await createTestDatabase('pw_seed');
    first = await seed(db.prisma, { asOf: AS_OF, windows: DEFAULT_WINDOWS });
    afterFirst = await dump(db.prisma);
    second = await seed(db.prisma, { asOf: AS_OF, windows: DEFAULT_WINDOWS });
    afterSecond = await dump(db.prisma);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('leaves exactly the same rows and values when run twice', () => {
    expect(afterSecond).toEqual(afterFirst);
    expect(first.created).toBe(WORKSTREAMS.length);
    expect(second.created).toBe(0);
    expect(second.archived).toBe(0);
    expect(second.health).toEqual(first.health);
  });

  it('writes the reference data, the summit and every commitment', () => {
    const milestones = WORKSTREAMS.flatMap((w) => w.milestones);
    const completed = milestones.filter((m) => m.status === 'completed');
    expect(afterFirst.countries).toHaveLength(12);
    expect(afterFirst.countries.map((c) => c.code).sort()).toEqual(['BN', 'ID', 'JP', 'KH', 'LA', 'MM', 'MY', 'PH', 'SG', 'TH', 'TL', 'VN']);
    expect(afterFirst.countries.find((c) => c.code === 'JP')?.group).toBe('partner');
    expect(afterFirst.sectors.map((s) => s.slug)).toEqual(
      expect.arrayContaining([
        'diplomatic-relations', 'maritime-security', 'defense', 'economic-security', 'supply-chains', 'trade-investment',
        'energy-climate', 'digital', 'space', 'connectivity', 'people-to-people',
      ]),
    );
    expect(afterFirst.sectors).toHaveLength(SECTORS.length);
    expect(afterFirst.summits).toHaveLength(1);
    expect(afterFirst.summits[0]).toMatchObject({ slug: SUMMIT.slug, location: SUMMIT.location });
    expect(isoDay(afterFirst.summits[0].startDate)).toBe('2023-12-16');
    expect(isoDay(afterFirst.summits[0].endDate)).toBe('2023-12-18');
    expect(afterFirst.summitSources).toHaveLength(SUMMIT.sources.length);
    expect(afterFirst.workstreams).toHaveLength(WORKSTREAMS.length);
    expect(afterFirst.workstreamCountries).toHaveLength(WORKSTREAMS.reduce((n, w) => n + w.countries.length, 0));
    expect(afterFirst.workstreamSectors).toHaveLength(WORKSTREAMS.reduce((n, w) => n + w.sectors.length, 0));
    expect(afterFirst.milestones).toHaveLength(milestones.length);
    expect(afterFirst.events).toHaveLength(WORKSTREAMS.length + completed.length);
    expect(first).toMatchObject({ countries: 12, summits: 1, workstreams: WORKSTREAMS.length, milestones: milestones.length });
    expect(first.events).toBe(WORKSTREAMS.length + completed.length);

    // The commitments the article names, each with a country and a sector.
    for (const slug of [
      'asean-japan-comprehensive-strategic-partnership',
      'japan-malaysia-comprehensive-strategic-partnership',
      'japan-timor-leste-comprehensive-partnership',
      'japan-brunei-strategic-partnership',
      'japan-viet-nam-comprehensive-strategic-partnership',
      'japan-philippines-coast-guard-cooperation',
      'japan-philippines-acquisition-and-cross-servicing-agreement',
      'japan-cambodia-senior-defence-dialogue',
      'patrol-vessel-indonesia-bakamla',
      'official-security-assistance-malaysia',
      'asean-japan-economic-co-creation-supply-chains',
      'asia-zero-emission-community',
    ]) {
      const ws = afterFirst.workstreams.find((w) => w.slug === slug);
      expect(ws).toBeDefined();
      expect(afterFirst.workstreamCountries.some((c) => c.workstreamId === ws!.id)).toBe(true);
      expect(afterFirst.workstreamSectors.some((s) => s.workstreamId === ws!.id)).toBe(true);
    }
  });

  it('uses fixed ids derived from the slugs and positions', () => {
    for (const ws of WORKSTREAMS) {
      expect(afterFirst.workstreams.find((w) => w.slug === ws.slug)?.id).toBe(workstreamId(ws.slug));
      ws.milestones.forEach((_, position) => {
        expect(afterFirst.milestones.find((m) => m.id === milestoneId(ws.slug, position))).toMatchObject({
          workstreamId: workstreamId(ws.slug),
          position,
        });
      });
    }
    for (const w of afterFirst.workstreams) expect(w.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('cites every commitment and labels every date by how it is known', () => {
    for (const w of afterFirst.workstreams) {
      expect(w.source).toEqual(expect.objectContaining({ quote: expect.any(String), title: expect.any(String), publisher: expect.any(String) }));
      expect((w.source as { quote: string }).quote.length).toBeGreaterThan(20);
    }
    for (const m of afterFirst.milestones) {
      if (m.dateBasis === 'assumed') expect(m.note).toMatch(/^Planning assumption: /);
      if (m.dateBasis === 'sourced') expect(m.note).toMatch(/Source: /);
      if (m.dateBasis === 'planned') expect(m.note).toMatch(/^Planned: /);
      if (m.status === 'completed') {
        expect(m.dateBasis).toBe('sourced');
        expect(isoDay(m.completedOn)).toBe(isoDay(m.dueDate));
      } else {
        expect(m.completedOn).toBeNull();
      }
    }
    // Positions run 0..n-1 within each workstream.
    for (const w of afterFirst.workstreams) {
      const positions = afterFirst.milestones.filter((m) => m.workstreamId === w.id).map((m) => m.position).sort((a, b) => a - b);
      expect(positions).toEqual(positions.map((_, i) => i));
    }
  });

  it('records the latest completion as last progress', () => {
    for (const w of afterFirst.workstreams) {
      const completions = afterFirst.milestones
        .filter((m) => m.workstreamId === w.id && m.completedOn)
        .map((m) => m.completedOn!.getTime());
      expect(w.lastProgressAt?.getTime() ?? null).toBe(completions.length ? Math.max(...completions) : null);
    }
  });

  it('states the health of every workstream as of 2026-12-07 with the default windows, with its reason', () => {
    const actual = [...afterFirst.workstreams]
      .sort((a, b) => WORKSTREAMS.findIndex((w) => w.slug === a.slug) - WORKSTREAMS.findIndex((w) => w.slug === b.slug))
      .map((w) => [w.slug, w.health, w.healthReason]);
    expect(actual).toEqual(HEALTH_AS_OF_2026_12_07);
    // Since the condition arose (a date passing), not since the seed ran; as of the load where the rows cannot say.
    const csp = afterFirst.workstreams.find((w) => w.slug === 'asean-japan-comprehensive-strategic-partnership')!;
    expect(csp.healthSince).toEqual(new Date('2026-11-20T00:00:00Z'));
    const brunei = afterFirst.workstreams.find((w) => w.slug === 'japan-brunei-strategic-partnership')!;
    expect(brunei.healthSince).toEqual(AS_OF);
    expect(Object.values(first.health).reduce((a, b) => a + b, 0)).toBe(WORKSTREAMS.length);
    expect(first.windows).toEqual({ warningDays: 14, graceDays: 7, stallDays: 180 });
  });

  it('carries the corrections checked on 2026-12-01', () => {
    const milestone = (slug: string, title: RegExp) => {
      const found = afterFirst.milestones.filter((m) => m.workstreamId === workstreamId(slug) && title.test(m.title));
      expect(found).toHaveLength(1);
      return { ...found[0], due: isoDay(found[0].dueDate) };
    };
    expect(milestone('japan-philippines-coast-guard-cooperation', /^Loan agreement/)).toMatchObject({ due: '2024-06-10', dateBasis: 'sourced' });
    expect(milestone('patrol-vessel-indonesia-bakamla', /delivered/)).toMatchObject({ due: '2028-03-31', dateBasis: 'planned' });
    expect(milestone('asia-zero-emission-community', /^Second AZEC Leaders Meeting/)).toMatchObject({ due: '2024-10-11', status: 'completed' });
    expect(milestone('japan-philippines-reciprocal-access-agreement', /Philippine Senate/)).toMatchObject({ due: '2024-12-16' });
    expect(milestone('japan-philippines-reciprocal-access-agreement', /Diet/)).toMatchObject({ due: '2025-06-06' });
    expect(milestone('japan-philippines-reciprocal-access-agreement', /fixing the entry into force/)).toMatchObject({ due: '2025-08-12' });
    expect(milestone('official-security-assistance-programme', /^FY2024 OSA recipients reported/)).toMatchObject({ due: '2024-11-30' });
    expect(milestone('official-security-assistance-malaysia', /^UAV deliveries began/)).toMatchObject({ due: '2025-09-22' });
    expect(milestone('japan-cambodia-senior-defence-dialogue', /Siem Reap/).note).toMatch(/single, unconfirmed source/);
    for (const [slug, title] of [
      ['japan-cambodia-senior-defence-dialogue', /attachés/],
      ['japan-viet-nam-comprehensive-strategic-partnership', /^Second vice-ministerial/],
      ['japan-timor-leste-comprehensive-partnership', /^First OSA exchange of notes/],
    ] as const) {
      expect(milestone(slug, title).dateBasis).toBe('assumed');
    }
    // Past its date when the seed loads: stored overdue, as the check would have marked it.
    expect(milestone('asean-japan-comprehensive-strategic-partnership', /^29th/)).toMatchObject({ dateBasis: 'planned', status: 'overdue' });
    const csp = afterFirst.workstreamCountries.filter((c) => c.workstreamId === workstreamId('asean-japan-comprehensive-strategic-partnership'));
    expect(csp.map((c) => c.countryCode)).toContain('TL');
    expect(milestone('asean-japan-comprehensive-strategic-partnership', /^Timor-Leste joins ASEAN/)).toMatchObject({ due: '2025-10-26', status: 'completed' });
    for (const f of FOLDED_WORKSTREAMS) expect(afterFirst.workstreams.map((w) => w.slug)).not.toContain(f.slug);
  });

  it('lets no assumed date put a workstream off track, and calls a passed one an assumption', () => {
    for (const w of afterFirst.workstreams.filter((w) => w.health === 'off_track')) {
      const named = afterFirst.milestones.find((m) => m.workstreamId === w.id && w.healthReason.startsWith(`"${m.title}"`));
      expect(named?.dateBasis).toMatch(/^(sourced|planned)$/);
    }
    for (const m of afterFirst.milestones.filter((m) => m.dateBasis === 'assumed' && m.dueDate < AS_OF)) {
      const w = afterFirst.workstreams.find((w) => w.id === m.workstreamId)!;
      expect([w.slug, w.health]).toEqual([w.slug, 'at_risk']);
      expect(w.healthReason).toContain('assumed date');
    }
  });

  it('loads as of today without news: the first check after the seed writes nothing', async () => {
    const result = await db.prisma.$transaction(async (tx) => {
      const overdue = await flipOverdueMilestones(tx, { asOf: AS_OF, windows: DEFAULT_WINDOWS });
      return { overdue, ...(await recomputeHealth(tx, { asOf: AS_OF, windows: DEFAULT_WINDOWS })) };
    });
    expect(result).toMatchObject({ overdue: 0, changed: 0 });
    expect(await dump(db.prisma)).toEqual(afterFirst);
    // Past-due open milestones are stored overdue, as the check would have marked them, without an event.
    const summit29 = afterFirst.milestones.find((m) => /^29th/.test(m.title))!;
    expect(summit29.status).toBe('overdue');
    expect(afterFirst.events.some((e) => e.milestoneId === summit29.id)).toBe(false);
  });

  it('makes no verdict the records cannot stand behind', () => {
    const today = new Date(`${isoDay(AS_OF)}T00:00:00Z`);
    for (const w of afterFirst.workstreams) {
      const own = afterFirst.milestones.filter((m) => m.workstreamId === w.id);
      const openAhead = own.some((m) => m.status !== 'completed' && m.status !== 'cancelled' && m.dueDate >= today);
      // Never stalled with something scheduled ahead.
      if (w.health === 'stalled') expect([w.slug, openAhead]).toEqual([w.slug, false]);
      // Never off track over a date that passed after the last look at the sources.
      if (w.health === 'off_track') {
        const missed = own.filter((m) => m.status === 'overdue' && m.dateBasis !== 'assumed');
        expect(missed.some((m) => w.lastReviewedAt! > new Date(m.dueDate.getTime() + DEFAULT_WINDOWS.graceDays * 86_400_000))).toBe(true);
      }
    }
    const osa = afterFirst.workstreams.find((w) => w.slug === 'official-security-assistance-programme')!;
    expect(osa.health).not.toBe('at_risk');
    expect(osa.healthReason).not.toMatch(/budget/i);
  });

  it('stamps each workstream with its editors\' last review, watch terms and labelled quote', async () => {
    const reviews = await db.prisma.review.findMany();
    expect(reviews).toHaveLength(WORKSTREAMS.length);
    for (const ws of WORKSTREAMS) {
      const row = afterFirst.workstreams.find((w) => w.slug === ws.slug)!;
      expect(isoDay(row.lastReviewedAt)).toBe(ws.review.date);
      expect(row.lastReviewNote).toBe(ws.review.note);
      expect(row.lastReviewNote!.length).toBeGreaterThan(20);
      expect(row.watchTerms.length).toBeGreaterThanOrEqual(3);
      expect(['summit', 'context']).toContain((row.source as { kind: string }).kind);
      expect(reviews.find((r) => r.workstreamId === row.id)?.reviewedAt).toEqual(row.lastReviewedAt);
    }
    // Sources' names an analyst searches by.
    const text = (slug: string) => {
      const w = afterFirst.workstreams.find((x) => x.slug === slug)!;
      return [w.title, w.summary, ...w.watchTerms].join(' ');
    };
    expect(text('patrol-vessel-indonesia-bakamla')).toMatch(/Bakamla/);
    expect(text('japan-philippines-coast-guard-cooperation')).toMatch(/97-metre/);
  });

  it('stores dates known to the month, quarter or year as the period\'s last day with their precision', () => {
    const vessel = afterFirst.milestones.find((m) => m.workstreamId === workstreamId('patrol-vessel-indonesia-bakamla') && /delivered/.test(m.title))!;
    expect([isoDay(vessel.dueDate), vessel.datePrecision]).toEqual(['2028-03-31', 'month']);
    for (const m of afterFirst.milestones) {
      const iso = isoDay(m.dueDate)!;
      if (m.datePrecision === 'month') expect(new Date(m.dueDate.getTime() + 86_400_000).getUTCDate()).toBe(1);
      if (m.datePrecision === 'year') expect(iso.slice(5)).toBe('12-31');
      if (m.status === 'completed') expect(m.completedOnPrecision).toBe(m.datePrecision);
    }
    expect(afterFirst.milestones.some((m) => m.datePrecision !== 'day')).toBe(true);
  });

  it('docs/DATA.md is what `npm run data:doc` writes from the seed data', () => {
    const doc = readFileSync(path.resolve(__dirname, '../docs/DATA.md'), 'utf8');
    expect(doc).toBe(renderDataDoc());
    for (const [slug, health, reason] of HEALTH_AS_OF_2026_12_07) {
      expect(doc).toContain(`\`${slug}\``);
      expect(doc).toContain(`**${health.replace(/_/g, ' ')}**`);
      expect(doc).toContain(reason);
    }
  });

  it('writes history events that never alert', () => {
    for (const w of afterFirst.workstreams) {
      const created = afterFirst.events.filter((e) => e.workstreamId === w.id && e.type === 'workstream_created');
      expect(created).toHaveLength(1);
      expect(created[0].occurredAt.getTime()).toBeLessThanOrEqual(new Date('2023-12-16T00:00:00Z').getTime());
      expect(created[0].occurredAt).toEqual(w.createdAt);
    }
    const completed = afterFirst.milestones.filter((m) => m.status === 'completed');
    for (const m of completed) {
      const events = afterFirst.events.filter((e) => e.milestoneId === m.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'milestone_completed', workstreamId: m.workstreamId, occurredAt: m.completedOn });
    }
    for (const e of afterFirst.events) {
      expect(e).toMatchObject({ notify: false, actor: 'seed' });
      expect(e.dispatchedAt).toEqual(e.occurredAt);
    }
  });

  describe('constraints refuse bad rows and write nothing', () => {
    const knownError = (code: string) => expect.objectContaining({ name: 'PrismaClientKnownRequestError', code });

    it('a duplicate workstream slug (P2002)', async () => {
      const before = await counts(db.prisma);
      const summit = await db.prisma.summit.findUniqueOrThrow({ where: { slug: SUMMIT.slug } });
      await expect(
        db.prisma.workstream.create({
          data: {
            slug: 'japan-brunei-strategic-partnership',
            title: 'Duplicate',
            summary: 'Duplicate',
            summitId: summit.id,
            instrument: 'other',
            stage: 'pipeline',
          },
        }),
      ).rejects.toEqual(knownError('P2002'));
      expect(await counts(db.prisma)).toEqual(before);
    });

    it('a workstream country that is not a known country (P2003)', async () => {
      const before = await counts(db.prisma);
      await expect(
        db.prisma.workstreamCountry.create({
          data: { workstreamId: workstreamId('japan-brunei-strategic-partnership'), countryCode: 'XX' },
        }),
      ).rejects.toEqual(knownError('P2003'));
      expect(await counts(db.prisma)).toEqual(before);
    });

    it('a duplicate subscriber email (P2002)', async () => {
      await db.prisma.subscriber.create({ data: { email: 'analyst@example.org' } });
      const before = await counts(db.prisma);
      await expect(db.prisma.subscriber.create({ data: { email: 'analyst@example.org' } })).rejects.toEqual(knownError('P2002'));
      expect(await counts(db.prisma)).toEqual(before);
      await db.prisma.subscriber.delete({ where: { email: 'analyst@example.org' } });
    });

    it('a milestone of a workstream that does not exist (P2003)', async () => {
      const before = await counts(db.prisma);
      await expect(
        db.prisma.milestone.create({
          data: { workstreamId: randomUUID(), title: 'Orphan', dueDate: new Date('2027-01-01T00:00:00Z'), position: 0 },
        }),
      ).rejects.toEqual(knownError('P2003'));
      expect(await counts(db.prisma)).toEqual(before);
    });

    it('a transaction with one bad row keeps none of its good rows', async () => {
      const before = await counts(db.prisma);
      const wsId = workstreamId('japan-brunei-strategic-partnership');
      await expect(
        db.prisma.$transaction([
          db.prisma.milestone.create({
            data: { workstreamId: wsId, title: 'Valid on its own', dueDate: new Date('2027-06-30T00:00:00Z'), position: 0 },
          }),
          db.prisma.workstreamCountry.create({ data: { workstreamId: wsId, countryCode: 'XX' } }),
        ]),
      ).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
      expect(await counts(db.prisma)).toEqual(before);
    });
  });

  it('re-run later over unchanged data, leaves what time changed to the check, which alerts', async () => {
    // Early January, the OSA Malaysia deliveries assumed for 31 Dec 2026 have passed.
    const later = new Date('2027-01-02T12:00:00Z');
    const before = await dump(db.prisma);
    await seed(db.prisma, { asOf: later, windows: DEFAULT_WINDOWS });
    expect(await dump(db.prisma)).toEqual(before);

    const result = await db.prisma.$transaction(async (tx) => {
      const overdue = await flipOverdueMilestones(tx, { asOf: later, windows: DEFAULT_WINDOWS });
      return { overdue, ...(await recomputeHealth(tx, { asOf: later, windows: DEFAULT_WINDOWS })) };
    });
    expect(result.changed).toBeGreaterThan(0);
    const alerts = await db.prisma.event.findMany({ where: { type: 'workstream_health_changed', occurredAt: later } });
    expect(alerts.length).toBe(result.changed);
    for (const e of alerts) expect(e.notify).toBe(true);
  });
});

describe('prisma/seed with configured windows', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pw_seed_windows');
  });
  afterAll(async () => {
    await db.drop();
  });

  const check = (asOf: Date, windows: HealthWindows) =>
    db.prisma.$transaction(async (tx) => {
      await flipOverdueMilestones(tx, { asOf, windows });
      return recomputeHealth(tx, { asOf, windows });
    });

  it('stores the health the status check computes with the same windows, so its first run changes none', async () => {
    const windows = { warningDays: 45, graceDays: 400, stallDays: 365 };
    const summary = await seed(db.prisma, { asOf: AS_OF, windows });
    expect(summary.windows).toEqual(windows);
    // Other windows, other verdicts: a wide grace keeps the 29th summit at risk, a long stall window keeps recent work on track.
    const health = Object.fromEntries((await db.prisma.workstream.findMany()).map((w) => [w.slug, w.health]));
    expect(health).toMatchObject({
      'asean-japan-comprehensive-strategic-partnership': 'at_risk',
      'japan-philippines-acquisition-and-cross-servicing-agreement': 'on_track',
      'japan-malaysia-comprehensive-strategic-partnership': 'at_risk',
    });
    await expect(check(AS_OF, windows)).resolves.toMatchObject({ checked: WORKSTREAMS.length, changed: 0 });
    // With the default windows instead, the check would have re-judged some of them (a passed date
    // within a 400-day grace period is on other ground than one beyond 7 days).
    const keys = Object.fromEntries((await db.prisma.workstream.findMany()).map((w) => [w.slug, w.healthKey]));
    await check(AS_OF, DEFAULT_WINDOWS);
    expect((await db.prisma.workstream.findMany()).some((w) => w.healthKey !== keys[w.slug])).toBe(true);
  });

  it('defaults to the windows HEALTH_* configure', async () => {
    const saved = process.env.HEALTH_GRACE_DAYS;
    process.env.HEALTH_GRACE_DAYS = '30';
    try {
      expect((await seed(db.prisma, { asOf: AS_OF })).windows).toEqual({ ...DEFAULT_WINDOWS, graceDays: 30 });
    } finally {
      if (saved === undefined) delete process.env.HEALTH_GRACE_DAYS;
      else process.env.HEALTH_GRACE_DAYS = saved;
    }
  });
});

describe('prisma/seed over a database seeded before the theme workstreams were folded', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pw_seed_folded');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('archives them once, keeping their rows; an editor-owned one is left alone', async () => {
    const summit = await db.prisma.summit.create({
      data: { id: randomUUID(), slug: SUMMIT.slug, name: SUMMIT.name, startDate: new Date(SUMMIT.startDate), endDate: new Date(SUMMIT.endDate), location: SUMMIT.location },
    });
    const [space, maritime] = FOLDED_WORKSTREAMS.map((f) => f.slug);
    for (const [slug, version] of [[space, 1], [maritime, 2]] as const) {
      await db.prisma.workstream.create({
        data: { id: workstreamId(slug), slug, title: slug, summary: 'An earlier seed', summitId: summit.id, instrument: 'initiative', stage: 'implementation', version },
      });
    }
    const first = await seed(db.prisma, { asOf: AS_OF, windows: DEFAULT_WINDOWS });
    expect(first.archived).toBe(1);
    const rows = await db.prisma.workstream.findMany({ where: { slug: { in: [space, maritime] } } });
    expect(Object.fromEntries(rows.map((w) => [w.slug, w.archivedAt]))).toEqual({ [space]: AS_OF, [maritime]: null });
    expect((await seed(db.prisma, { asOf: AS_OF, windows: DEFAULT_WINDOWS })).archived).toBe(0);
  });
});
