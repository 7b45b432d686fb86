import { humanValue, MailRenderer, safeHttpUrl } from '@pledgewatch/mail';
import { AlertFacts, alertSubject, alertTemplateData, countriesTag } from './alert-message';

const facts = (over: Partial<AlertFacts> = {}): AlertFacts => ({
  eventId: 'e1',
  type: 'workstream.health_changed',
  from: 'on_track',
  to: 'off_track',
  reason: 'Radar delivery is 9 days overdue',
  occurredAt: new Date('2024-06-30T09:00:00Z'),
  workstream: { id: 'w1', slug: 'osa-my', title: 'OSA surveillance equipment', health: 'off_track', healthReason: 'x' },
  countries: ['Malaysia'],
  milestone: null,
  ...over,
});

describe('alert subject', () => {
  it('names the country, the workstream and from → to in human words', () => {
    expect(alertSubject(facts())).toBe('[Malaysia] OSA surveillance equipment: on track → off track');
  });

  it('lists two countries and counts the rest', () => {
    expect(countriesTag(['Malaysia', 'Philippines'])).toBe('[Malaysia, Philippines]');
    expect(countriesTag(['Brunei', 'Cambodia', 'Indonesia', 'Laos'])).toBe('[Brunei, Cambodia +2]');
    expect(alertSubject(facts({ countries: [] }))).toBe('OSA surveillance equipment: on track → off track');
  });

  it('says what changed for stage and milestone events', () => {
    expect(alertSubject(facts({ type: 'workstream.stage_changed', from: 'implementation', to: 'suspended' }))).toBe(
      '[Malaysia] OSA surveillance equipment: stage implementation → suspended',
    );
    expect(
      alertSubject(facts({ type: 'milestone.rescheduled', from: '2024-03-31', to: '2024-09-30', milestone: { title: 'Radars', evidenceUrl: null } })),
    ).toBe('[Malaysia] OSA surveillance equipment: milestone due 31 March 2024 → 30 September 2024');
    expect(alertSubject(facts({ type: 'milestone.completed', from: 'in_progress', to: 'completed' }))).toBe(
      '[Malaysia] OSA surveillance equipment: milestone in progress → completed',
    );
  });

  it('keeps a title with line breaks on one header line', () => {
    const subject = alertSubject(facts({ workstream: { ...facts().workstream, title: 'Evil\r\nBcc: victim@example.org' } }));
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toBe('[Malaysia] Evil Bcc: victim@example.org: on track → off track');
  });
});

describe('alert template data', () => {
  it('links the workstream and keeps only http(s) evidence links', () => {
    const links = { publicBaseUrl: 'https://pw.example', manageUrl: 'https://pw.example/m', unsubscribeUrl: 'https://pw.example/u' };
    const data = alertTemplateData(facts({ milestone: { title: 'Radars', evidenceUrl: 'javascript:alert(1)' } }), links);
    expect(data.workstreamUrl).toBe('https://pw.example/v1/workstreams/osa-my');
    expect(data.evidenceUrl).toBeNull();
    expect(data.occurredOn).toBe('30 June 2024');
    expect(safeHttpUrl('https://gov.example/press?id=1')).toBe('https://gov.example/press?id=1');
  });

  it('links the Atom feed and milestone calendar of the workstream, in both parts of the email', () => {
    const links = { publicBaseUrl: 'https://pw.example', manageUrl: 'https://pw.example/m', unsubscribeUrl: 'https://pw.example/u' };
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
