import { buildDigestContent, DigestTopics, matchesTopics, SnapshotWorkstream, topicKey, WeekSnapshot } from './digest-content';
import { digestSubject, digestTemplateData } from './digest-message';

const asOf = new Date('2026-11-29T23:00:00Z');

function ws(id: string, countries: string[], sectors: string[], extra: Partial<SnapshotWorkstream> = {}): SnapshotWorkstream {
  return {
    id,
    slug: `ws-${id}`,
    title: `Workstream ${id}`,
    countries,
    sectors,
    health: 'on_track',
    healthReason: 'fine',
    healthSince: new Date('2026-01-01T00:00:00Z'),
    lastReviewedAt: new Date('2026-11-02T00:00:00Z'),
    reviewDue: false,
    ...extra,
  };
}

function snapshot(): WeekSnapshot {
  const workstreams = [
    ws('ph-mar', ['JP', 'PH'], ['maritime-security']),
    ws('ph-trade', ['JP', 'PH'], ['trade-investment'], { health: 'at_risk', healthReason: 'due soon', healthSince: new Date('2026-11-19T00:00:00Z') }),
    ws('my-mar', ['JP', 'MY'], ['maritime-security'], { health: 'off_track', healthReason: 'late', healthSince: new Date('2026-10-30T00:00:00Z') }),
    ws('asean', ['BN', 'ID', 'JP', 'KH', 'MY'], ['diplomatic-relations']),
  ];
  const event = (id: string, workstreamId: string, day: string) => ({
    id,
    type: 'milestone.completed' as const,
    workstreamId,
    from: 'in_progress',
    to: 'completed',
    reason: `reason ${id}`,
    actor: 'editor',
    note: null as string | null,
    eventEvidenceUrl: null as string | null,
    occurredAt: new Date(`${day}T10:00:00Z`),
    milestone: {
      title: `milestone ${id}`,
      dueDate: '2026-12-31',
      datePrecision: 'day' as const,
      dateBasis: 'planned',
      actualStart: null,
      actualStartPrecision: 'day' as const,
      completedOn: day,
      completedOnPrecision: 'day' as const,
    },
    milestoneTitle: `milestone ${id}`,
    evidenceUrl: 'https://example.org/evidence',
  });
  return {
    asOf,
    workstreams: new Map(workstreams.map((w) => [w.id, w])),
    events: [event('e1', 'ph-mar', '2026-11-28'), event('e2', 'ph-trade', '2026-11-27'), event('e3', 'my-mar', '2026-11-26'), event('e4', 'asean', '2026-11-25')],
    upcoming: [
      { id: 'm1', workstreamId: 'ph-mar', title: 'Ships delivered', dueDate: '2026-12-10', datePrecision: 'day', status: 'not_started' },
      { id: 'm2', workstreamId: 'asean', title: 'Review', dueDate: '2026-12-31', datePrecision: 'month', status: 'in_progress' },
    ],
    attention: ['my-mar', 'ph-trade'],
    scores: new Map([
      ['PH', { onTime: 3, late: 1, overdue: 0, notJudged: 36 }],
      ['MY', { onTime: 1, late: 0, overdue: 2, notJudged: 0 }],
    ]),
    countryNames: new Map([
      ['PH', 'Philippines'],
      ['MY', 'Malaysia'],
      ['JP', 'Japan'],
      ['BN', 'Brunei'],
      ['ID', 'Indonesia'],
      ['KH', 'Cambodia'],
    ]),
    sectorNames: new Map([
      ['maritime-security', 'Maritime security'],
      ['trade-investment', 'Trade and investment'],
      ['diplomatic-relations', 'Diplomatic relations'],
    ]),
  };
}

const topics = (t: Partial<DigestTopics>): DigestTopics => ({ countries: [], sectors: [], intersections: [], workstreams: [], ...t });

describe('matchesTopics', () => {
  const w = ws('x', ['JP', 'PH'], ['maritime-security']);
  it('is the alerts rule: workstream, country, sector, or both of an intersection', () => {
    expect(matchesTopics(topics({ workstreams: ['x'] }), w)).toBe(true);
    expect(matchesTopics(topics({ countries: ['PH'] }), w)).toBe(true);
    expect(matchesTopics(topics({ sectors: ['maritime-security'] }), w)).toBe(true);
    expect(matchesTopics(topics({ intersections: [{ country: 'PH', sector: 'maritime-security' }] }), w)).toBe(true);
    expect(matchesTopics(topics({ intersections: [{ country: 'PH', sector: 'trade-investment' }] }), w)).toBe(false);
    expect(matchesTopics(topics({ intersections: [{ country: 'MY', sector: 'maritime-security' }] }), w)).toBe(false);
  });
});

describe('topicKey', () => {
  it('ignores order and duplicates, and tells different sets apart', () => {
    const a = topicKey(topics({ countries: ['PH', 'MY'], sectors: ['space'] }));
    expect(topicKey(topics({ countries: ['MY', 'PH', 'PH'], sectors: ['space'] }))).toBe(a);
    expect(topicKey(topics({ countries: ['MY'], sectors: ['space'] }))).not.toBe(a);
    expect(topicKey(topics({ intersections: [{ country: 'PH', sector: 'space' }] }))).not.toBe(topicKey(topics({ countries: ['PH'], sectors: ['space'] })));
  });
});

describe('buildDigestContent', () => {
  it('a Philippines × maritime follower: only that intersection, look-ahead and attention alike', () => {
    const content = buildDigestContent(snapshot(), topics({ intersections: [{ country: 'PH', sector: 'maritime-security' }] }));
    expect(content.changeCount).toBe(1);
    expect(content.groups).toEqual([expect.objectContaining({ country: 'Philippines', sector: 'Maritime security' })]);
    expect(content.groups[0].changes.map((c) => c.eventId)).toEqual(['e1']);
    expect(content.upcoming).toEqual([expect.objectContaining({ title: 'Ships delivered', inDays: 11 })]);
    expect(content.attention).toEqual([]);
    expect(content.scorecards).toEqual([{ code: 'PH', name: 'Philippines', onTime: 3, late: 1, overdue: 0, notJudged: 36, total: 4 }]);
  });

  it('groups each change once, by the followed country and the sector; off track before at risk', () => {
    const content = buildDigestContent(snapshot(), topics({ countries: ['PH', 'MY'] }));
    expect(content.groups.map((g) => `${g.country} / ${g.sector} / ${g.changes.map((c) => c.eventId)}`)).toEqual([
      'Malaysia / Diplomatic relations / e4',
      'Malaysia / Maritime security / e3',
      'Philippines / Maritime security / e1',
      'Philippines / Trade and investment / e2',
    ]);
    expect(content.attention.map((a) => [a.workstream.slug, a.health, a.since.toISOString().slice(0, 10)])).toEqual([
      ['ws-my-mar', 'off_track', '2026-10-30'],
      ['ws-ph-trade', 'at_risk', '2026-11-19'],
    ]);
    expect(content.scorecards.map((s) => s.code)).toEqual(['MY', 'PH']);
  });

  it('a sector follower sees a many-country workstream under a short heading, and no scorecard', () => {
    const content = buildDigestContent(snapshot(), topics({ sectors: ['diplomatic-relations'] }));
    expect(content.groups).toEqual([expect.objectContaining({ country: '5 countries', sector: 'Diplomatic relations' })]);
    expect(content.scorecards).toEqual([]);
  });

  it('a quiet week keeps the look-ahead', () => {
    const week = snapshot();
    week.events = [];
    const content = buildDigestContent(week, topics({ countries: ['PH'] }));
    expect(content.changeCount).toBe(0);
    expect(content.upcoming).toHaveLength(1);
    expect(digestSubject(content, 'Asia/Tokyo')).toBe('Pledgewatch weekly, 30 November 2026: a quiet week, 1 milestone due in 30 days, 1 off track or at risk');
  });
});

describe('digestTemplateData', () => {
  const links = { publicBaseUrl: 'https://pw.example', manageUrl: 'https://pw.example/m', unsubscribeUrl: 'https://pw.example/u' };

  it('dates in the subscriber’s zone, safe evidence links, and bars whose cells add up to 100%', () => {
    const week = snapshot();
    week.events[0].evidenceUrl = 'javascript:alert(1)';
    week.scores.set('PH', { onTime: 1, late: 1, overdue: 1, notJudged: 0 });
    const data = digestTemplateData(buildDigestContent(week, topics({ countries: ['PH'] })), 'Asia/Tokyo', links);
    expect(data.weekOf).toBe('30 November 2026');
    expect(data.groups[0].changes[0]).toMatchObject({ label: 'Milestone completed', what: "Milestone 'milestone e1' completed on 28 November 2026.", evidenceUrl: null });
    const card = data.scorecards[0];
    expect(card.segments.map((s) => s.percent)).toEqual([34, 33, 33]);
    expect(card.textBar).toBe('[#######+++++++!!!!!!]');
    expect(card.summary).toBe('1 on time, 1 late, 1 overdue');
  });

  it('a busy week shows the newest 30 changes and says how many more, with a link to the feed', () => {
    const week = snapshot();
    week.events = Array.from({ length: 45 }, (_, i) => ({ ...week.events[0], id: `busy-${i}`, occurredAt: new Date(Date.UTC(2026, 10, 29, 12, -i)) }));
    const content = buildDigestContent(week, topics({ countries: ['PH'] }));
    expect(content.changeCount).toBe(45);
    expect(content.groups.flatMap((g) => g.changes.map((c) => c.eventId))).toEqual(Array.from({ length: 30 }, (_, i) => `busy-${i}`));
    const data = digestTemplateData(content, 'UTC', links);
    expect(data.subject).toMatch(/: 45 changes,/);
    expect(data.moreChanges).toBe('…and 15 more changes.');
    expect(data.eventsUrl).toBe('https://pw.example/changes?since=2026-11-22T23%3A00%3A00.000Z');
    expect(data.moreUpcoming).toBeNull();
  });

  it('a small share never vanishes from the bar', () => {
    const week = snapshot();
    week.scores.set('PH', { onTime: 198, late: 0, overdue: 1, notJudged: 0 });
    const [card] = digestTemplateData(buildDigestContent(week, topics({ countries: ['PH'] })), 'UTC', links).scorecards;
    expect(card.segments.map((s) => [s.label, s.percent])).toEqual([
      ['on time', 99],
      ['overdue', 1],
    ]);
    expect(card.textBar).toBe(`[${'#'.repeat(19)}!]`);
  });
});
