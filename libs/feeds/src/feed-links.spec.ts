import { feedLinks, followedTopicFeeds, topicQuery } from './feed-links';

describe('feed links', () => {
  it('builds the Atom, calendar and webcal addresses of a topic', () => {
    expect(feedLinks('https://pw.example', { country: ['PH'], sector: ['maritime-security'] })).toEqual({
      atom: 'https://pw.example/v1/feeds/events.atom?country=PH&sector=maritime-security',
      calendar: 'https://pw.example/v1/feeds/milestones.ics?country=PH&sector=maritime-security',
      webcal: 'webcal://pw.example/v1/feeds/milestones.ics?country=PH&sector=maritime-security',
    });
    expect(feedLinks('http://localhost:3000', {}).atom).toBe('http://localhost:3000/v1/feeds/events.atom');
  });

  it('encodes each value and keeps the commas that separate them', () => {
    expect(topicQuery({ workstream: ['a b', 'c&d'] })).toBe('?workstream=a%20b,c%26d');
  });

  it('gives a subscriber one feed per kind of topic and one per intersection (topics are OR-ed, one feed’s filters AND-ed)', () => {
    const feeds = followedTopicFeeds('https://pw.example', {
      countries: ['MY', 'PH'],
      sectors: ['space'],
      intersections: [{ country: 'PH', sector: 'maritime-security' }],
      workstreams: ['0b7e2f0a-1111-4111-8111-111111111111'],
    });
    expect(feeds.map((f) => [f.label, f.atom])).toEqual([
      ['Countries: MY, PH', 'https://pw.example/v1/feeds/events.atom?country=MY,PH'],
      ['Sectors: space', 'https://pw.example/v1/feeds/events.atom?sector=space'],
      ['PH × maritime-security', 'https://pw.example/v1/feeds/events.atom?country=PH&sector=maritime-security'],
      ['The workstream you follow', 'https://pw.example/v1/feeds/events.atom?workstream=0b7e2f0a-1111-4111-8111-111111111111'],
    ]);
    expect(followedTopicFeeds('https://pw.example', { countries: [], sectors: [], intersections: [], workstreams: [] })).toEqual([]);
  });
});
