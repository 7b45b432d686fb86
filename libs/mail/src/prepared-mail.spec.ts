import { simpleParser } from 'mailparser';
import { MailPlaceholders, PreparedMail, PreparedMailCache } from './prepared-mail';

const FROM = 'Pledgewatch <alerts@pledgewatch.example>';
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(raw)?.[1];

describe('PreparedMail', () => {
  const ph = new MailPlaceholders(['manageUrl', 'unsubscribeUrl']);
  const { manageUrl: M, unsubscribeUrl: U } = ph.tokens;
  // Shared lines longer than a quoted-printable line, non-ASCII, `=`, trailing spaces before a
  // link, a link at the very start and end: everything that could shift bytes around a substitution.
  const long = 'Radar delivery milestone overdue by 9 days — grace period 7 days, “überfällig” = late. '.repeat(3);
  const text = `${U}\nHello ✓\n${long}\nManage:   ${M}\nUnsubscribe: ${U}\nend   \n${M}`;
  const html = `<p>${long}</p><a href="${M}">Manage</a> · <a href="${U}">Unsubscribe</a>${long}<a href="${U}">x</a>`;
  const recipient = (i: number) => ({
    to: `reader${i}@bench.example`,
    messageId: `<0000000${i}-0000-4000-8000-000000000000@pledgewatch.example>`,
    headers: { 'List-Unsubscribe': `<https://pw.example/v1/subscriptions/unsubscribe?token=u${i}.x=y>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    values: {
      manageUrl: `https://pw.example/v1/subscriptions/manage?token=${'m'.repeat(i * 7)}${i}.a_b-c&x=1`,
      unsubscribeUrl: `https://pw.example/v1/subscriptions/unsubscribe?token=u${i}.x=y`,
    },
  });

  it('builds each recipient a message that decodes to exactly their own text, HTML, headers and links', async () => {
    const prepared = await PreparedMail.prepare(FROM, '[Malaysia] OSA radars: on track → off track', { text, html }, ph, ['List-Unsubscribe', 'List-Unsubscribe-Post']);
    for (const i of [1, 2, 9, 13]) {
      const r = recipient(i);
      expect(prepared.fits(r)).toBe(true);
      const raw = prepared.build(r);
      const lines = raw.toString('latin1').split('\r\n');
      expect(lines.every((line) => line.length <= 998)).toBe(true);
      const mail = await simpleParser(raw);
      const expected = prepared.expand(r.values);
      expect(mail.subject).toBe('[Malaysia] OSA radars: on track → off track');
      expect(mail.from?.value).toEqual([{ name: 'Pledgewatch', address: 'alerts@pledgewatch.example' }]);
      expect((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text).toBe(r.to);
      expect(mail.messageId).toBe(r.messageId);
      expect(mail.date?.getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(mail.text).toBe(expected.text);
      expect(mail.html).toBe(expected.html);
      expect(expected.text).toContain(`Manage:   ${r.values.manageUrl}\nUnsubscribe: ${r.values.unsubscribeUrl}\nend   \n`);
      expect(expected.html).toContain(`<a href="${r.values.manageUrl.replace(/=/g, '&#x3D;').replace(/&x/, '&amp;x')}">Manage</a>`);
      expect(header(raw.toString('latin1'), 'List-Unsubscribe')).toBe(r.headers['List-Unsubscribe']);
      expect(header(raw.toString('latin1'), 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      // Every quoted-printable body line stays within 76 characters.
      const body = raw.toString('latin1').split('\r\n\r\n').slice(2).join('\r\n\r\n');
      expect(body.split('\r\n').filter((line) => !line.startsWith('--')).every((line) => line.length <= 76)).toBe(true);
    }
  });

  it('refuses, through fits(), what it cannot substitute as it is', async () => {
    const prepared = await PreparedMail.prepare(FROM, 'Hi', { text, html }, ph, ['List-Unsubscribe']);
    const r = { ...recipient(1), headers: { 'List-Unsubscribe': '<https://x>' } };
    expect(prepared.fits(r)).toBe(true);
    expect(prepared.fits({ ...r, to: 'rëader@example.org' })).toBe(false);
    expect(prepared.fits({ ...r, to: 'a@b.example\r\nBcc: x@evil.example' })).toBe(false);
    expect(prepared.fits({ ...r, headers: { 'List-Unsubscribe': '<https://x>\r\nBcc: x@evil.example' } })).toBe(false);
    expect(prepared.fits({ ...r, headers: {} })).toBe(false);
    expect(prepared.fits({ ...r, values: { manageUrl: 'x' } })).toBe(false);
  });
});

describe('PreparedMailCache', () => {
  const ph = new MailPlaceholders(['manageUrl']);
  const prepare = (body: string) => () => PreparedMail.prepare(FROM, 'Hi', { text: `${body} ${ph.tokens.manageUrl}`, html: `<p>${body}</p>` }, ph);

  it('prepares each key once and evicts the least recently used beyond its byte budget', async () => {
    const one = await prepare('x'.repeat(1000))();
    const cache = new PreparedMailCache(Math.floor(one.size * 2.5));
    const calls: string[] = [];
    const get = (key: string) =>
      cache.get(key, () => {
        calls.push(key);
        return prepare('x'.repeat(1000))();
      });
    const a = await get('a');
    expect(await get('a')).toBe(a);
    await get('b');
    await get('a'); // a is now the most recently used
    await get('c'); // over budget: b goes, not a
    expect(await get('a')).toBe(a);
    await get('b');
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not keep a failed preparation', async () => {
    const cache = new PreparedMailCache(1_000_000);
    await expect(cache.get('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await new Promise((resolve) => setImmediate(resolve));
    const mail = await cache.get('k', prepare('ok'));
    expect(mail.subject).toBe('Hi');
  });
});
