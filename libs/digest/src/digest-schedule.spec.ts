import {
  DigestSchedule,
  digestDueAt,
  hourSlot,
  nextDigestDue,
  previousDigestDue,
  slotsEndingAt,
  wallClock,
  wallHoursDueAt,
} from './digest-schedule';

const at = (iso: string) => new Date(iso);

/** Every slot in [from, to) at which the schedule falls due. */
function dueSlots(schedule: DigestSchedule, from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = at(from).getTime(); t < at(to).getTime(); t += 3_600_000) {
    const due = digestDueAt(new Date(t), schedule);
    if (due) out.push(`${due.slot.toISOString()} ${due.digestWeek}`);
  }
  return out;
}

describe('wallClock', () => {
  it('reads the local date, weekday and hour in a zone', () => {
    expect(wallClock(at('2026-11-29T23:00:00Z'), 'Asia/Tokyo')).toMatchObject({
      date: '2026-11-30',
      weekday: 'monday',
      hour: 8,
      minute: 0,
    });
    expect(wallClock(at('2026-11-30T00:00:00Z'), 'America/Los_Angeles')).toMatchObject({
      date: '2026-11-29',
      weekday: 'sunday',
      hour: 16,
    });
  });

  it('says 00, not 24, at midnight', () => {
    expect(wallClock(at('2026-11-30T00:00:00Z'), 'UTC').hour).toBe(0);
  });
});

describe('hourSlot and slotsEndingAt', () => {
  it('floors to the UTC hour and lists slots oldest first', () => {
    expect(hourSlot(at('2026-11-28T10:59:59.999Z')).toISOString()).toBe('2026-11-28T10:00:00.000Z');
    expect(slotsEndingAt(at('2026-11-28T10:00:00Z'), 3).map((d) => d.toISOString())).toEqual([
      '2026-11-28T08:00:00.000Z',
      '2026-11-28T09:00:00.000Z',
      '2026-11-28T10:00:00.000Z',
    ]);
  });

  it('refuses a slot that is not an hour start', () => {
    expect(() => wallHoursDueAt(at('2026-11-28T10:05:00Z'), 'UTC')).toThrow(RangeError);
  });
});

describe('digestDueAt', () => {
  it('Asia/Tokyo, Monday 08:00 → the Sunday 23:00 UTC slot, once in a fortnight of slots per week', () => {
    const tokyo: DigestSchedule = { timezone: 'Asia/Tokyo', digestDay: 'monday', digestHour: 8 };
    expect(dueSlots(tokyo, '2026-11-23T00:00:00Z', '2026-12-07T00:00:00Z')).toEqual([
      '2026-11-29T23:00:00.000Z 2026-11-30',
      '2026-12-06T23:00:00.000Z 2026-12-07',
    ]);
  });

  it('Europe/London 08:00 stays 08:00 local across the October change (07:00 UTC, then 08:00 UTC)', () => {
    const london: DigestSchedule = { timezone: 'Europe/London', digestDay: 'monday', digestHour: 8 };
    // Clocks go back on Sunday 2026-10-25.
    expect(dueSlots(london, '2026-10-13T00:00:00Z', '2026-11-03T00:00:00Z')).toEqual([
      '2026-10-19T07:00:00.000Z 2026-10-19',
      '2026-10-26T08:00:00.000Z 2026-10-26',
      '2026-11-02T08:00:00.000Z 2026-11-02',
    ]);
  });

  it('and across the March change (08:00 UTC, then 07:00 UTC)', () => {
    const london: DigestSchedule = { timezone: 'Europe/London', digestDay: 'monday', digestHour: 8 };
    // Clocks go forward on Sunday 2026-03-29.
    expect(dueSlots(london, '2026-03-22T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual([
      '2026-03-23T08:00:00.000Z 2026-03-23',
      '2026-03-30T07:00:00.000Z 2026-03-30',
    ]);
  });

  it('a non-existent local hour (spring-forward gap) goes out at the next hour that exists', () => {
    // London, Sunday 2026-03-29: 01:00 GMT becomes 02:00 BST; 01:xx local never happens.
    const gap: DigestSchedule = { timezone: 'Europe/London', digestDay: 'sunday', digestHour: 1 };
    expect(dueSlots(gap, '2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z')).toEqual(['2026-03-29T01:00:00.000Z 2026-03-29']);
    expect(wallClock(at('2026-03-29T01:00:00Z'), 'Europe/London').hour).toBe(2);
    // 02:00 local, the hour right after the gap, is due in the same slot.
    const after: DigestSchedule = { timezone: 'Europe/London', digestDay: 'sunday', digestHour: 2 };
    expect(dueSlots(after, '2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z')).toEqual(['2026-03-29T01:00:00.000Z 2026-03-29']);
    // America/New_York, Sunday 2026-03-08: 02:00 EST becomes 03:00 EDT.
    const ny: DigestSchedule = { timezone: 'America/New_York', digestDay: 'sunday', digestHour: 2 };
    expect(dueSlots(ny, '2026-03-07T00:00:00Z', '2026-03-09T00:00:00Z')).toEqual(['2026-03-08T07:00:00.000Z 2026-03-08']);
  });

  it('a repeated local hour (fall-back) is due once, at its first occurrence', () => {
    // London, Sunday 2026-10-25: 01:00–01:59 happens twice (BST, then GMT).
    const repeated: DigestSchedule = { timezone: 'Europe/London', digestDay: 'sunday', digestHour: 1 };
    expect(dueSlots(repeated, '2026-10-24T00:00:00Z', '2026-10-26T00:00:00Z')).toEqual(['2026-10-25T00:00:00.000Z 2026-10-25']);
    expect(wallHoursDueAt(at('2026-10-25T01:00:00Z'), 'Europe/London')).toEqual([]);
  });

  it('a zone with a half-hour offset is sent on the slot after the chosen hour, never before it', () => {
    const kolkata: DigestSchedule = { timezone: 'Asia/Kolkata', digestDay: 'monday', digestHour: 8 };
    // 08:00 IST = 02:30 UTC → the 03:00 UTC slot (08:30 local).
    expect(dueSlots(kolkata, '2026-11-29T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual(['2026-11-30T03:00:00.000Z 2026-11-30']);
    const kathmandu: DigestSchedule = { timezone: 'Asia/Kathmandu', digestDay: 'monday', digestHour: 8 };
    // 08:00 NPT (+05:45) = 02:15 UTC → the 03:00 UTC slot.
    expect(dueSlots(kathmandu, '2026-11-29T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual(['2026-11-30T03:00:00.000Z 2026-11-30']);
  });

  it('a digest at midnight belongs to the new local day', () => {
    const midnight: DigestSchedule = { timezone: 'America/Los_Angeles', digestDay: 'tuesday', digestHour: 0 };
    expect(dueSlots(midnight, '2026-11-29T00:00:00Z', '2026-12-03T00:00:00Z')).toEqual(['2026-12-01T08:00:00.000Z 2026-12-01']);
  });

  it('every (weekday, hour) of an ordinary zone is due exactly once a week', () => {
    for (const timezone of ['UTC', 'Asia/Tokyo', 'America/Sao_Paulo', 'Pacific/Chatham', 'Australia/Lord_Howe']) {
      for (const digestDay of ['monday', 'thursday', 'sunday'] as const) {
        for (const digestHour of [0, 7, 13, 23]) {
          // A week of November 2026 with no DST change in these zones.
          const slots = dueSlots({ timezone, digestDay, digestHour }, '2026-11-09T00:00:00Z', '2026-11-16T00:00:00Z');
          expect({ timezone, digestDay, digestHour, n: slots.length }).toEqual({ timezone, digestDay, digestHour, n: 1 });
        }
      }
    }
  });
});

describe('nextDigestDue / previousDigestDue', () => {
  const tokyo: DigestSchedule = { timezone: 'Asia/Tokyo', digestDay: 'monday', digestHour: 8 };

  it('find the nearest due slot on either side', () => {
    expect(nextDigestDue(at('2026-11-28T10:20:00Z'), tokyo)).toEqual({
      slot: at('2026-11-29T23:00:00Z'),
      digestWeek: '2026-11-30',
      wallTime: '2026-11-30 08:00',
    });
    expect(previousDigestDue(at('2026-11-28T10:20:00Z'), tokyo).digestWeek).toBe('2026-11-23');
    expect(previousDigestDue(at('2026-11-29T23:00:00Z'), tokyo).digestWeek).toBe('2026-11-30');
  });
});
