import type { PrismaService } from '@pledgewatch/database';
import { createTestDatabase, TestDatabase } from '../../../test/support/database';
import { DigestDeliveriesRepository } from './digest-deliveries.repository';
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
