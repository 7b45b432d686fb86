import type { PrismaService } from '@pledgewatch/database';
import { createTestDatabase, TestDatabase } from '../../../test/support/database';
import { digestSubscriber } from '../../../test/support/digest-harness';
import { factories } from '../../../test/support/factories';
import { DigestCursor, DigestDeliveriesRepository } from './digest-deliveries.repository';
import { wallHoursDueAt } from './digest-schedule';

/**
 * Postgres (AT TIME ZONE, its own tz database) and the TypeScript schedule (Intl, ICU's) must agree
 * on every due (zone, weekday, hour) — over both 2026 DST changes in the northern hemisphere, the
 * southern ones, half- and quarter-hour zones and Lord Howe's 30-minute DST.
 */
const ZONES = [
  'UTC',
  'Europe/London',
  'America/New_York',
  'America/Sao_Paulo',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Auckland',
];

const WINDOWS: [string, string][] = [
  ['2026-03-26T00:00:00Z', '2026-04-07T00:00:00Z'], // Europe forward 29 Mar; Lord Howe/NZ back 5 Apr; NY forward 8 Mar (before)
  ['2026-03-05T00:00:00Z', '2026-03-10T00:00:00Z'], // New York forward 8 Mar
  ['2026-09-24T00:00:00Z', '2026-10-06T00:00:00Z'], // NZ forward 27 Sep; Lord Howe forward 4 Oct
  ['2026-10-22T00:00:00Z', '2026-11-03T00:00:00Z'], // Europe back 25 Oct; New York back 1 Nov
];

describe('DigestDeliveriesRepository.dueCombinations (Postgres) agrees with digest-schedule.ts (Intl)', () => {
  let db: TestDatabase;
  let repository: DigestDeliveriesRepository;

  beforeAll(async () => {
    db = await createTestDatabase('pw_digest_zones');
    repository = new DigestDeliveriesRepository(db.prisma as unknown as PrismaService);
    await db.prisma.subscriber.createMany({
      data: [
        ...ZONES.map((timezone, i) => ({ email: `z${i}@example.org`, state: 'active' as const, timezone })),
        // Inactive subscribers' zones are not looked at; an unknown zone is reported, not fatal.
        { email: 'pending@example.org', state: 'pending' as const, timezone: 'Africa/Nairobi' },
        { email: 'bad@example.org', state: 'active' as const, timezone: 'Mars/Olympus_Mons' },
      ],
    });
  });

  afterAll(async () => {
    await db.drop();
  });

  it.each(WINDOWS)('from %s to %s', async (from, to) => {
    const { combos, unknownZones } = await repository.dueCombinations(new Date(from), new Date(to));
    expect(unknownZones).toEqual(['Mars/Olympus_Mons']);
    const fromSql = combos.map((c) => `${c.slot.toISOString()} ${c.timezone} ${c.digestDay} ${c.digestHour} ${c.digestWeek}`).sort();

    const fromTs: string[] = [];
    for (let t = new Date(from).getTime() + 3_600_000; t <= new Date(to).getTime(); t += 3_600_000) {
      const slot = new Date(t);
      for (const zone of ZONES) {
        for (const h of wallHoursDueAt(slot, zone)) fromTs.push(`${slot.toISOString()} ${zone} ${h.weekday} ${h.hour} ${h.date}`);
      }
    }
    expect(fromSql).toEqual(fromTs.sort());
    // Sanity: a week and a half of slots, each (weekday, hour) of each zone roughly once.
    expect(fromSql.length).toBeGreaterThan(ZONES.length * 100);
  });
});

describe('DigestDeliveriesRepository: the walk puts those who get the same digest one after another (Postgres)', () => {
  let db: TestDatabase;
  let repository: DigestDeliveriesRepository;
  const keyOf = async (id: string) => (await db.prisma.subscriber.findUniqueOrThrow({ where: { id } })).topicsKey;

  beforeAll(async () => {
    db = await createTestDatabase('pw_digest_walk');
    repository = new DigestDeliveriesRepository(db.prisma as unknown as PrismaService);
    const f = factories(db.prisma);
    await f.country('PH', 'Philippines');
    await f.country('JP', 'Japan');
    await f.sector('maritime-security', 'Maritime security');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('the topics key follows the subscriptions: equal for the same topics in any order, changed by an insert, an update and a delete', async () => {
    const a = await digestSubscriber(db.prisma, { email: 'key-a@example.org', topics: [{ countryCode: 'PH' }, { sectorSlug: 'maritime-security' }] });
    const b = await digestSubscriber(db.prisma, { email: 'key-b@example.org', topics: [{ sectorSlug: 'maritime-security' }, { countryCode: 'PH' }] });
    const c = await digestSubscriber(db.prisma, { email: 'key-c@example.org', topics: [{ countryCode: 'PH' }] });
    const none = await digestSubscriber(db.prisma, { email: 'key-none@example.org', topics: [] });
    expect(await keyOf(a.id)).toMatch(/^[0-9a-f]{32}$/);
    expect(await keyOf(b.id)).toBe(await keyOf(a.id));
    expect(await keyOf(c.id)).not.toBe(await keyOf(a.id));
    expect(await keyOf(none.id)).toBe('');

    await db.prisma.subscription.create({ data: { subscriberId: c.id, sectorSlug: 'maritime-security' } });
    expect(await keyOf(c.id)).toBe(await keyOf(a.id));
    await db.prisma.subscription.updateMany({ where: { subscriberId: c.id, sectorSlug: 'maritime-security' }, data: { countryCode: 'JP' } });
    const intersection = await keyOf(c.id);
    expect(intersection).not.toBe(await keyOf(a.id));
    await db.prisma.subscription.deleteMany({ where: { subscriberId: c.id, countryCode: 'JP' } });
    await db.prisma.subscription.deleteMany({ where: { subscriberId: c.id } });
    expect(await keyOf(c.id)).toBe('');
    await db.prisma.subscriber.deleteMany({ where: { email: { startsWith: 'key-' } } });
  });

  it('deliveries are created and handed to the queue grouped by (zone and slot, topics), every due subscriber once across keyset batches', async () => {
    // 2026-11-29 23:00 UTC is Monday 08:00 in Tokyo and Sunday 23:00 in UTC. Three topic sets in
    // two zones, created interleaved, so id order would scatter them.
    const sets = [[{ countryCode: 'PH' }], [{ countryCode: 'JP' }], [{ countryCode: 'PH', sectorSlug: 'maritime-security' }]];
    const zones = [
      { timezone: 'Asia/Tokyo', digestDay: 'monday' as const, digestHour: 8 },
      { timezone: 'UTC', digestDay: 'sunday' as const, digestHour: 23 },
    ];
    const label = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const zone = zones[i % 2];
      const set = (i >> 1) % 3;
      const s = await digestSubscriber(db.prisma, { email: `walk${i}@example.org`, ...zone, topics: sets[set] });
      label.set(s.id, `${zone.timezone}|${set}`);
    }
    const slot = new Date('2026-11-29T23:00:00Z');
    const { combos } = await repository.dueCombinations(new Date(slot.getTime() - 3_600_000), slot);

    const populated = await repository.populated(combos);
    expect(populated.map((c) => `${c.timezone} ${c.digestDay} ${c.digestHour}`).sort()).toEqual(['Asia/Tokyo monday 8', 'UTC sunday 23']);
    const created: string[] = [];
    for (const combo of populated) {
      let after: DigestCursor | null = null;
      for (;;) {
        const batch = await repository.insertDigestBatch(combo, after, 7);
        created.push(...batch.created);
        if (batch.size < 7 || !batch.last) break;
        after = batch.last;
      }
    }
    const deliveries = await db.prisma.delivery.findMany({ where: { id: { in: created } } });
    const subscriberOf = new Map(deliveries.map((d) => [d.id, d.subscriberId]));
    const sequence = created.map((id) => label.get(subscriberOf.get(id)!)!);
    expect(sequence).toHaveLength(30);
    expect(new Set(deliveries.map((d) => d.subscriberId)).size).toBe(30);
    // Six groups of five: the label changes exactly five times along the walk.
    expect(sequence.filter((l, i) => i > 0 && l !== sequence[i - 1])).toHaveLength(5);
    expect(new Set(sequence).size).toBe(6);
  });
});
