import { humanValue, MailRenderer, safeHttpUrl } from '@pledgewatch/mail';
import { AlertFacts, alertSubject, alertTemplateData, countriesTag } from './alert-message';

type FactsMilestone = NonNullable<AlertFacts['milestone']>;

const milestone = (over: Partial<FactsMilestone> = {}): FactsMilestone => ({
  title: 'FY2024 OSA equipment handed over',
  dueDate: '2026-03-31',
  datePrecision: 'day',
  dateBasis: 'planned',
  actualStart: null,
  actualStartPrecision: 'day',
  completedOn: null,
  completedOnPrecision: 'day',
  evidenceUrl: null,
  ...over,
});

const facts = (over: Partial<AlertFacts> = {}): AlertFacts => ({
  eventId: 'e1',
  type: 'workstream.health_changed',
  from: 'on_track',
  to: 'at_risk',
  reason: '"Radars delivered" was due March 2028 (planned date); no outcome recorded; awaiting review.',
  actor: 'status-check',
  note: null,
  evidenceUrl: null,
  occurredAt: new Date('2026-06-30T09:00:00Z'),
  workstream: { id: 'w1', slug: 'osa-my', title: 'OSA surveillance equipment', health: 'at_risk', healthReason: 'x' },
  countries: ['Malaysia'],
  milestone: null,
  siblings: [],
  ...over,
});

const links = { publicBaseUrl: 'https://pw.example', manageUrl: 'https://pw.example/m', unsubscribeUrl: 'https://pw.example/u' };

describe('alert subject and headline say what happened', () => {
  it('a health change by the check names the milestone and the date it passed, never the bare verdict', () => {
    const data = alertTemplateData(facts(), links);
    expect(data.headline).toBe(
      'Health changed from on track to at risk: "Radars delivered" was due March 2028 (planned date); no outcome recorded; awaiting review',
    );
    expect(data.subject).toBe(`[Malaysia] OSA surveillance equipment: ${data.headline}`);
    expect(data.health).toBeNull();
  });

  it('a milestone start on a known day', () => {
    const f = facts({
      type: 'milestone.status_changed',
      from: 'not_started',
      to: 'in_progress',
      actor: 'editor',
      milestone: milestone({ actualStart: '2026-03-03' }),
    });
    expect(alertSubject(f)).toBe("[Malaysia] OSA surveillance equipment: Milestone 'FY2024 OSA equipment handed over' started on 3 March 2026");
  });

  it('a completion known only to the month says "in February 2026"', () => {
    const f = facts({
      type: 'milestone.completed',
      from: 'in_progress',
      to: 'completed',
      actor: 'editor',
      milestone: milestone({ completedOn: '2026-02-28', completedOnPrecision: 'month' }),
    });
    expect(alertTemplateData(f, links).headline).toBe("Milestone 'FY2024 OSA equipment handed over' completed in February 2026");
  });

  it('a reschedule shows both dates with the due date precision', () => {
    const f = facts({
      type: 'milestone.rescheduled',
      from: '2027-03-31',
      to: '2028-03-31',
      actor: 'editor',
      milestone: milestone({ dueDate: '2028-03-31', datePrecision: 'month' }),
    });
    expect(alertTemplateData(f, links).headline).toBe("Milestone 'FY2024 OSA equipment handed over' rescheduled from March 2027 to March 2028");
    const quarter = facts({ ...f, milestone: milestone({ dueDate: '2028-03-31', datePrecision: 'quarter' }) });
    expect(alertTemplateData(quarter, links).headline).toBe("Milestone 'FY2024 OSA equipment handed over' rescheduled from Q1 2027 to Q1 2028");
    // A from-date that is not a period's end is shown as the day it is, never as a period it is not.
    const odd = facts({ ...f, from: '2027-03-15' });
    expect(alertTemplateData(odd, links).headline).toBe("Milestone 'FY2024 OSA equipment handed over' rescheduled from 15 March 2027 to March 2028");
  });

  it('a stage change says from what to what', () => {
    const f = facts({ type: 'workstream.stage_changed', from: 'pipeline', to: 'implementation', actor: 'editor', reason: 'Stage changed.' });
    expect(alertSubject(f)).toBe('[Malaysia] OSA surveillance equipment: Stage changed from pipeline to implementation');
  });

  it('an overdue milestone names its due date as far as it is known, with its basis', () => {
    const f = facts({ type: 'milestone.overdue', from: 'not_started', to: 'overdue', milestone: milestone({ dueDate: '2028-12-31', datePrecision: 'year' }) });
    expect(alertTemplateData(f, links).headline).toBe("Milestone 'FY2024 OSA equipment handed over' was due 2028 (planned date) and is not completed");
  });

  it('a health change an editor write caused names that write, with its note and evidence, and the new health', () => {
    const f = facts({
      from: 'at_risk',
      to: 'on_track',
      actor: 'editor',
      reason: "Next: \"Radars delivered\", due March 2028 (planned date).",
      siblings: [
        {
          type: 'milestone.status_changed',
          from: 'not_started',
          to: 'in_progress',
          reason: 'x',
          actor: 'editor',
          note: 'Handed over at Kota Kinabalu',
          evidenceUrl: 'https://mofa.example/press/1',
          milestone: milestone({ actualStart: '2026-03-03' }),
        },
      ],
    });
    const data = alertTemplateData(f, links);
    expect(data.headline).toBe("Milestone 'FY2024 OSA equipment handed over' started on 3 March 2026");
    expect(data.subject).toBe(
      "[Malaysia] OSA surveillance equipment: Milestone 'FY2024 OSA equipment handed over' started on 3 March 2026 (now on track)",
    );
    expect(data.note).toBe('Handed over at Kota Kinabalu');
    expect(data.evidenceUrl).toBe('https://mofa.example/press/1');
    expect(data.health).toEqual({ from: 'at risk', to: 'on track', reason: f.reason });
    const { html, text } = new MailRenderer().render('alert', data);
    expect(text).toContain("Milestone 'FY2024 OSA equipment handed over' started on 3 March 2026.");
    expect(text).toContain("Editor's note: Handed over at Kota Kinabalu");
    expect(text).toContain('Evidence: https://mofa.example/press/1');
    expect(text).toContain('Health: at risk -> on track. Next: "Radars delivered", due March 2028 (planned date).');
    expect(html).toContain('Handed over at Kota Kinabalu');
    expect(html).not.toContain('Health changed to');
  });

  it("the event's own evidence comes before the milestone's", () => {
    const f = facts({
      type: 'milestone.completed',
      from: 'in_progress',
      to: 'completed',
      actor: 'editor',
      evidenceUrl: 'https://gov.example/event',
      milestone: milestone({ completedOn: '2026-03-03', evidenceUrl: 'https://gov.example/milestone' }),
    });
    expect(alertTemplateData(f, links).evidenceUrl).toBe('https://gov.example/event');
    expect(alertTemplateData({ ...f, evidenceUrl: null }, links).evidenceUrl).toBe('https://gov.example/milestone');
  });

  it('lists two countries and counts the rest', () => {
    expect(countriesTag(['Malaysia', 'Philippines'])).toBe('[Malaysia, Philippines]');
    expect(countriesTag(['Brunei', 'Cambodia', 'Indonesia', 'Laos'])).toBe('[Brunei, Cambodia +2]');
    expect(alertSubject(facts({ countries: [] }))).toMatch(/^OSA surveillance equipment: Health changed/);
  });

  it('keeps a title with line breaks on one header line', () => {
    const subject = alertSubject(facts({ workstream: { ...facts().workstream, title: 'Evil\r\nBcc: victim@example.org' } }));
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toMatch(/^\[Malaysia\] Evil Bcc: victim@example.org: Health changed/);
  });
});

describe('alert template data', () => {
  it('links the workstream page (HTML, not the JSON API) and keeps only http(s) evidence links', () => {
    const data = alertTemplateData(facts({ milestone: milestone({ evidenceUrl: 'javascript:alert(1)' }), type: 'milestone.overdue' }), links);
    expect(data.workstreamUrl).toBe('https://pw.example/workstreams/osa-my');
    expect(data.evidenceUrl).toBeNull();
    expect(data.occurredOn).toBe('30 June 2026');
    expect(safeHttpUrl('https://gov.example/press?id=1')).toBe('https://gov.example/press?id=1');
  });

  it('links the Atom feed and milestone calendar of the workstream, in both parts of the email', () => {
    const data = alertTemplateData(facts(), links);
    expect(data.atomUrl).toBe('https://pw.example/v1/feeds/events.atom?workstream=osa-my');
    expect(data.calendarUrl).toBe('https://pw.example/v1/feeds/milestones.ics?workstream=osa-my');
    const { html, text } = new MailRenderer().render('alert', data);
    expect(html).toContain('href="https://pw.example/v1/feeds/events.atom?workstream&#x3D;osa-my"');
    expect(html).toContain('href="https://pw.example/v1/feeds/milestones.ics?workstream&#x3D;osa-my"');
    expect(text).toContain('https://pw.example/v1/feeds/events.atom?workstream=osa-my');
    expect(text).toContain('https://pw.example/v1/feeds/milestones.ics?workstream=osa-my');
  });

  it('labels missing values', () => {
    expect(humanValue(null)).toBe('none');
    expect(humanValue('not_started')).toBe('not started');
  });
});
