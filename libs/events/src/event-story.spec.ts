import { StoryMilestone, whatHappened, whatHappenedWith } from './event-story';

const m = (over: Partial<StoryMilestone> = {}): StoryMilestone => ({
  title: 'Vessel delivered',
  dueDate: '2028-03-31',
  datePrecision: 'quarter',
  dateBasis: 'assumed',
  actualStart: null,
  actualStartPrecision: 'day',
  completedOn: null,
  completedOnPrecision: 'day',
  ...over,
});

const event = { from: null, to: null, reason: '"Vessel delivered" went.', actor: 'editor' };

describe('whatHappened', () => {
  it('words each kind of change with its dates as far as they are known', () => {
    expect(whatHappened({ ...event, type: 'milestone.added', milestone: m() })).toBe("Milestone 'Vessel delivered' added, due Q1 2028 (planning assumption)");
    expect(whatHappened({ ...event, type: 'milestone.status_changed', from: 'not_started', to: 'in_progress', milestone: m({ actualStart: '2026-03-31', actualStartPrecision: 'month' }) })).toBe(
      "Milestone 'Vessel delivered' started in March 2026",
    );
    expect(whatHappened({ ...event, type: 'milestone.status_changed', from: 'in_progress', to: 'deferred', milestone: m() })).toBe("Milestone 'Vessel delivered' deferred");
    expect(whatHappened({ ...event, type: 'milestone.status_changed', from: 'completed', to: 'not_started', milestone: m() })).toBe(
      "Milestone 'Vessel delivered' changed from completed to not started",
    );
    expect(whatHappened({ ...event, type: 'milestone.completed', milestone: m({ completedOn: '2026-12-31', completedOnPrecision: 'year' }) })).toBe(
      "Milestone 'Vessel delivered' completed in 2026",
    );
    // A precision the stored date does not fit is shown as the day it is, with "on".
    expect(whatHappened({ ...event, type: 'milestone.completed', milestone: m({ completedOn: '2026-03-15', completedOnPrecision: 'month' }) })).toBe(
      "Milestone 'Vessel delivered' completed on 15 March 2026",
    );
    expect(whatHappened({ ...event, type: 'workstream.created', milestone: null })).toBe('Tracking began');
  });

  it('a milestone deleted since is told by its event reason', () => {
    expect(whatHappened({ ...event, type: 'milestone.overdue', milestone: null })).toBe('"Vessel delivered" went');
  });

  it('a health change with other changes of the same write is told by them', () => {
    const health = { ...event, type: 'workstream.health_changed' as const, from: 'at_risk', to: 'on_track', reason: 'Next: …', milestone: null };
    const completed = { ...event, type: 'milestone.completed' as const, milestone: m({ completedOn: '2026-03-03' }) };
    expect(whatHappenedWith(health, [completed])).toBe("Milestone 'Vessel delivered' completed on 3 March 2026");
    expect(whatHappenedWith(health, [])).toBe('Health changed from at risk to on track: Next: …');
    expect(whatHappenedWith(completed, [health])).toBe("Milestone 'Vessel delivered' completed on 3 March 2026");
  });
});
