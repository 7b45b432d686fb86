import { randomUUID } from 'node:crypto';
import { Prisma, PrismaClient } from '@pledgewatch/database';
import { milestoneId, seed, SeedSummary, workstreamId } from '../prisma/seed';
import { COUNTRIES, SECTORS, SUMMIT, WORKSTREAMS } from '../prisma/seed-data';
import { createTestDatabase, TestDatabase } from './support/database';

const AS_OF = new Date('2026-11-28T12:00:00Z');
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
    first = await seed(db.prisma, { asOf: AS_OF });
    afterFirst = await dump(db.prisma);
    second = await seed(db.prisma, { asOf: AS_OF });
    afterSecond = await dump(db.prisma);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('leaves exactly the same rows and values when run twice', () => {
    expect(afterSecond).toEqual(afterFirst);
    expect(first.created).toBe(WORKSTREAMS.length);
    expect(second.created).toBe(0);
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
      'japan-cambodia-senior-defence-dialogue',
      'patrol-vessel-indonesia-bakamla',
      'official-security-assistance-malaysia',
      'asean-japan-economic-co-creation-supply-chains',
      'asean-japan-space-cooperation',
      'asean-japan-maritime-capacity-building',
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

  it('derives every health value the sources support, as of 2026-11-28', () => {
    const health = Object.fromEntries(afterFirst.workstreams.map((w) => [w.slug, w.health]));
    // inactive and on_track are absent: no commitment was found cancelled or suspended, and no
    // progress dated within the 180-day stall window (after 2026-06-01) was found to cite.
    expect(new Set(Object.values(health))).toEqual(new Set(['complete', 'unknown', 'off_track', 'at_risk', 'stalled']));
    expect(health).toMatchObject({
      'japan-brunei-strategic-partnership': 'complete',
      'japan-philippines-reciprocal-access-agreement': 'complete',
      'asean-japan-space-cooperation': 'unknown',
      'japan-cambodia-senior-defence-dialogue': 'off_track',
      'japan-viet-nam-comprehensive-strategic-partnership': 'at_risk',
      'japan-philippines-coast-guard-cooperation': 'stalled',
    });
    for (const w of afterFirst.workstreams) {
      expect(w.healthSince).toEqual(AS_OF);
      expect(w.healthReason).not.toBe('not yet checked');
    }
    expect(Object.values(first.health).reduce((a, b) => a + b, 0)).toBe(WORKSTREAMS.length);
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
      const wsId = workstreamId('asean-japan-space-cooperation');
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

  it('re-evaluated later, changes only the health that moved, with one event per change', async () => {
    // Two weeks on, the Viet Nam 2+2 assumed for 4 Dec 2026 is more than the grace period overdue.
    const later = new Date('2026-12-20T12:00:00Z');
    const before = await dump(db.prisma);
    await seed(db.prisma, { asOf: later });
    const after = await dump(db.prisma);

    const moved = after.workstreams.filter((w) => before.workstreams.find((b) => b.id === w.id)!.health !== w.health);
    expect(moved.map((w) => w.slug)).toContain('japan-viet-nam-comprehensive-strategic-partnership');
    for (const w of after.workstreams) {
      const was = before.workstreams.find((b) => b.id === w.id)!;
      expect(w.healthSince).toEqual(was.health === w.health ? was.healthSince : later);
    }
    const changes = after.events.filter((e) => e.type === 'workstream_health_changed');
    expect(changes).toHaveLength(moved.length);
    const vn = changes.find((e) => e.workstreamId === workstreamId('japan-viet-nam-comprehensive-strategic-partnership'));
    expect(vn).toMatchObject({ from: 'at_risk', to: 'off_track', occurredAt: later });

    // And at the same instant again: nothing more.
    await seed(db.prisma, { asOf: later });
    expect(await dump(db.prisma)).toEqual(after);
  });
});
