import { firstFreeSlug, recomputeHealth, slugify } from './workstream-rules';

describe('slugify', () => {
  it.each([
    ['Coast Guard Capacity Building (Philippines)', 'coast-guard-capacity-building-philippines'],
    ['  Việt Nam: Ports & Logistics  ', 'viet-nam-ports-logistics'],
    ['OSA — radar systems, 2024/25', 'osa-radar-systems-2024-25'],
    ['日本', 'workstream'],
  ])('%p → %p', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  it('cuts long titles at a word boundary, 80 characters at most', () => {
    const slug = slugify('word '.repeat(40));
    expect(slug.length).toBeLessThanOrEqual(80);
    expect(slug).toMatch(/^word(-word)*$/);
    expect(slugify('x'.repeat(200))).toHaveLength(80);
  });
});

describe('firstFreeSlug', () => {
  it('appends -2, -3 … until free', () => {
    expect(firstFreeSlug('a', new Set())).toBe('a');
    expect(firstFreeSlug('a', new Set(['a']))).toBe('a-2');
    expect(firstFreeSlug('a', new Set(['a', 'a-2', 'a-3']))).toBe('a-4');
  });
});

describe('recomputeHealth', () => {
  const windows = { warningDays: 14, graceDays: 7, stallDays: 180 };
  const now = new Date('2025-06-15T12:00:00Z');
  const workstream = {
    id: 'w1',
    stage: 'implementation' as const,
    lastProgressAt: null,
    createdAt: new Date('2025-06-01T00:00:00Z'),
    health: 'on_track' as const,
    healthReason: 'Next: "Radar", due 1 December 2025 (planned date).',
    healthKey: 'on_track:next|2025-12-01|1|2025-06-15|',
  };
  const open = { title: 'Radar', status: 'not_started' as const, dueDate: new Date('2025-12-01T00:00:00Z'), completedOn: null, dateBasis: 'planned' as const };

  it('owes nothing when health and reason stand', () => {
    expect(recomputeHealth(workstream, [open], now, windows)).toEqual({ data: {}, event: null });
  });

  it('updates a reason that moved without an event', () => {
    const update = recomputeHealth({ ...workstream, healthReason: 'old' }, [open], now, windows);
    expect(update).toEqual({ data: { healthReason: 'Next: "Radar", due 1 December 2025 (planned date).' }, event: null });
  });

  it('derives the last progress from the milestones, and drops it when a start is undone', () => {
    const started = { ...open, status: 'in_progress' as const, actualStart: new Date('2025-06-10T00:00:00Z') };
    expect(recomputeHealth(workstream, [started], now, windows).data).toMatchObject({ lastProgressAt: new Date('2025-06-10T00:00:00Z') });
    const undone = recomputeHealth({ ...workstream, lastProgressAt: new Date('2025-06-10T00:00:00Z') }, [open], now, windows);
    expect(undone.data).toMatchObject({ lastProgressAt: null });
  });

  it('a new health restarts healthSince and owes workstream.health_changed', () => {
    const finalising = { ...workstream, stage: 'finalisation' as const };
    const update = recomputeHealth(finalising, [{ ...open, status: 'completed', completedOn: new Date('2025-06-15T00:00:00Z') }], now, windows);
    expect(update.data).toMatchObject({ health: 'complete', healthReason: 'All 1 milestone completed; stage is finalisation.', healthSince: now });
    expect(update.event).toEqual({
      type: 'workstream.health_changed',
      workstreamId: 'w1',
      from: 'on_track',
      to: 'complete',
      reason: 'All 1 milestone completed; stage is finalisation.',
    });
  });
});
