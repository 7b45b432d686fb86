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
