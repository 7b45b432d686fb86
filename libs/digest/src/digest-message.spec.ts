import { followedTopicFeeds } from '@pledgewatch/feeds';
import { MailRenderer } from '@pledgewatch/mail';
import type { DigestContent } from './digest-content';
import { digestTemplateData } from './digest-message';

const quietWeek: DigestContent = {
  asOf: new Date('2026-11-30T08:00:00Z'),
  periodStart: new Date('2026-11-23T08:00:00Z'),
  changeCount: 0,
  groups: [],
  upcomingCount: 0,
  upcoming: [],
  attentionCount: 0,
  attention: [],
  scorecards: [],
};

describe('digest feed links', () => {
  it('links an Atom feed and a calendar for each kind of topic the subscriber follows', () => {
    const feeds = followedTopicFeeds('https://pw.example', {
      countries: ['MY'],
      sectors: [],
      intersections: [{ country: 'PH', sector: 'maritime-security' }],
      workstreams: [],
    });
    const data = digestTemplateData(quietWeek, 'UTC', { publicBaseUrl: 'https://pw.example', manageUrl: 'https://pw.example/m', unsubscribeUrl: 'https://pw.example/u', feeds });
    const { html, text } = new MailRenderer().render('digest', data);
    expect(html).toContain('Follow your topics in a feed reader or calendar');
    expect(html).toContain('href="https://pw.example/v1/feeds/events.atom?country&#x3D;PH&amp;sector&#x3D;maritime-security"');
    expect(html).toContain('href="https://pw.example/v1/feeds/milestones.ics?country&#x3D;MY"');
    expect(text).toContain('PH × maritime-security');
    expect(text).toContain('Atom: https://pw.example/v1/feeds/events.atom?country=PH&sector=maritime-security');
    expect(text).toContain('Calendar: https://pw.example/v1/feeds/milestones.ics?country=MY');
  });

  it('says nothing about feeds when there are none to give', () => {
    const data = digestTemplateData(quietWeek, 'UTC', { publicBaseUrl: 'https://pw.example', manageUrl: 'm', unsubscribeUrl: 'u' });
    expect(new MailRenderer().render('digest', data).text).not.toContain('FEED READER');
  });
});

describe('digest wording', () => {
  const links = { publicBaseUrl: 'https://pw.example', manageUrl: 'https://pw.example/m', unsubscribeUrl: 'https://pw.example/u' };
  const week: DigestContent = {
    ...quietWeek,
    changeCount: 2,
    groups: [
      {
        country: 'Indonesia',
        sector: 'Maritime security',
        changes: [
          {
            eventId: 'e1',
            type: 'milestone.rescheduled',
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
            },
            from: '2027-03-31',
            to: '2028-03-31',
            reason: 'x',
            actor: 'editor',
            note: 'The shipyard announced the new date',
            occurredAt: new Date('2026-11-27T03:00:00Z'),
            evidenceUrl: 'https://gov.example/press/9',
          },
          {
            eventId: 'e2',
            type: 'workstream.health_changed',
            workstream: { slug: 'patrol-vessel-id', title: 'Patrol vessel for Indonesia' },
            milestone: null,
            from: 'on_track',
            to: 'at_risk',
            reason: '"Hull launched" was due Q3 2026 (planned date); no outcome recorded; awaiting review.',
            actor: 'status-check',
            note: null,
            occurredAt: new Date('2026-11-26T03:00:00Z'),
            evidenceUrl: null,
          },
        ],
      },
    ],
    upcomingCount: 2,
    upcoming: [
      { workstream: { slug: 'a', title: 'A' }, title: 'Notes exchanged', dueDate: '2026-12-10', datePrecision: 'day', status: 'not_started', inDays: 10 },
      { workstream: { slug: 'b', title: 'B' }, title: 'Budget enacted', dueDate: '2026-12-31', datePrecision: 'month', status: 'in_progress', inDays: 31 },
    ],
    attentionCount: 2,
    attention: [
      {
        workstream: { slug: 'patrol-vessel-id', title: 'Patrol vessel for Indonesia' },
        health: 'at_risk',
        reason: '"Hull launched" was due Q3 2026 (planned date); no outcome recorded; awaiting review.',
        since: new Date('2026-04-01T00:00:00Z'),
        lastReviewedAt: new Date('2026-05-31T00:00:00Z'),
        reviewDue: true,
      },
      {
        workstream: { slug: 'radars-ph', title: 'Radars for the Philippines' },
        health: 'off_track',
        reason: '"Radars handed over" was due 31 March 2026 (planned date); no outcome found at review on 1 November 2026.',
        since: new Date('2026-11-01T00:00:00Z'),
        lastReviewedAt: new Date('2026-11-01T00:00:00Z'),
        reviewDue: false,
      },
    ],
    scorecards: [{ code: 'ID', name: 'Indonesia', onTime: 3, late: 1, overdue: 0, notJudged: 36, total: 4 }],
  };

  it('says what happened with dates as far as they are known, the editor note and the page links', () => {
    const data = digestTemplateData(week, 'UTC', links);
    const [reschedule, health] = data.groups[0].changes;
    expect(reschedule.what).toBe("Milestone 'Vessel delivered' rescheduled from March 2027 to March 2028.");
    expect(reschedule.note).toBe('The shipyard announced the new date');
    expect(reschedule.workstreamUrl).toBe('https://pw.example/workstreams/patrol-vessel-id');
    expect(health.what).toBe('Health changed from on track to at risk: "Hull launched" was due Q3 2026 (planned date); no outcome recorded; awaiting review.');
    expect(data.upcoming.map((u) => [u.dueOn, u.when])).toEqual([
      ['10 December 2026', 'in 10 days'],
      ['December 2026', "by the month's end"],
    ]);
  });

  it('off track or at risk since the date the condition arose, never a count of days, with the last review', () => {
    const { html, text } = new MailRenderer().render('digest', digestTemplateData(week, 'UTC', links));
    expect(text).toContain('* Patrol vessel for Indonesia: at risk since 1 April 2026\n');
    expect(text).toContain('Last reviewed 31 May 2026 - REVIEW DUE');
    expect(text).toContain('* Radars for the Philippines: off track since 1 November 2026\n');
    expect(text).toContain('Last reviewed 1 November 2026\n');
    expect(text).not.toMatch(/for \d+ days?/);
    expect(html).toContain('Last reviewed 31 May 2026 — review due');
    expect(html).not.toContain('/v1/workstreams/');
  });

  it('the scorecard says how many completions it could not judge', () => {
    const data = digestTemplateData(week, 'UTC', links);
    expect(data.scorecards[0].summary).toBe('3 on time, 1 late, 0 overdue; 36 not judged: dates known only to the month or recorded after the fact');
  });
});
