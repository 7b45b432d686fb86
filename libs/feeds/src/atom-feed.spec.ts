import { renderAtomFeed } from './atom-feed';

describe('Atom entries', () => {
  it('say what happened with the date as far as it is known, and link the workstream page', () => {
    const xml = renderAtomFeed({
      publicBaseUrl: 'https://pw.example',
      selfUrl: 'https://pw.example/v1/feeds/events.atom',
      alternateUrl: 'https://pw.example/changes',
      title: 'Pledgewatch changes',
      events: [
        {
          id: '3f1c9a52-0000-4000-8000-000000000001',
          type: 'milestone.rescheduled',
          from: '2027-03-31',
          to: '2028-03-31',
          reason: 'x',
          actor: 'editor',
          note: 'The builder moved delivery <a year>',
          evidenceUrl: 'https://gov.example/press/1',
          occurredAt: new Date('2026-12-01T00:00:00Z'),
          workstream: { slug: 'patrol-vessel-id', title: 'Patrol vessel for Indonesia' },
          milestone: {
            title: 'Vessel delivered',
            dueDate: '2028-03-31',
            datePrecision: 'month',
            dateBasis: 'planned',
            actualStart: null,
            actualStartPrecision: 'day',
            completedOn: null,
            completedOnPrecision: 'day',
            evidenceUrl: null,
          },
        },
      ],
    });
    expect(xml).toContain("Patrol vessel for Indonesia: Milestone 'Vessel delivered' rescheduled from March 2027 to March 2028");
    // Typed markup is shown, never interpreted.
    expect(xml).toContain("<p>Editor's note: The builder moved delivery &lt;a year&gt;</p>");
    expect(xml).toContain('https://gov.example/press/1');
    expect(xml).toContain('<link href="https://pw.example/workstreams/patrol-vessel-id"/>');
    expect(xml).not.toContain('/v1/workstreams/');
  });
});
