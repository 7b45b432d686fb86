import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { StatusCheckService } from '@pledgewatch/status';
import { SubscriberLinks } from '@pledgewatch/subscriber-links';
import { seed } from '../prisma/seed';
import { freePort } from '../scripts/net';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { bootWorker, testEnv } from './support/alerts-harness';
import { bootApi } from './support/api';
import { launchBrowser } from './support/chromium';
import { createTestDatabase, TestDatabase } from './support/database';
import { eventually } from './support/eventually';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

const ARTIFACTS = path.resolve(__dirname, 'artifacts', 'pages');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface WorkstreamItem {
  slug: string;
  health: string;
}

/**
 * The public pages in headless Chromium, against the booted API and worker over the
 * seeded data after a status check: what the pages show is what the JSON API answers.
 */
describe('Public pages in a real browser', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let api: INestApplication;
  let worker: INestApplicationContext;
  let browser: Browser;
  let base: string;
  let prefix: string;
  let clients = 0;

  /** A browser context of its own, as one more visitor (own client address, so own rate-limit bucket). */
  async function visitor(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    clients += 1;
    return browser.newContext({
      viewport: { width: 1280, height: 900 },
      ...options,
      extraHTTPHeaders: { 'X-Forwarded-For': `192.0.2.${clients}`, ...options.extraHTTPHeaders },
    });
  }

  async function json<T>(url: string): Promise<T> {
    const res = await fetch(`${base}${url}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  /** Every item of a paginated API list. */
  async function all(url: string): Promise<WorkstreamItem[]> {
    const items: WorkstreamItem[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: WorkstreamItem[]; nextCursor: string | null } = await json(`${url}${url.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  function confirmLinkIn(text: string): string {
    const match = new RegExp(`${base}/v1/subscriptions/confirm\\?token=[A-Za-z0-9_.%-]+`).exec(text);
    if (!match) throw new Error(`no confirm link in:\n${text}`);
    return match[0];
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prefix = testQueuePrefix('pages');
    [db, sink] = await Promise.all([createTestDatabase('pw_pages'), startSmtpSink()]);
    await seed(db.prisma);
    const env = testEnv(db.url, prefix, sink.url, { PUBLIC_BASE_URL: base });
    [api, worker] = await Promise.all([bootApi(db.url, env), bootWorker(env)]);
    await api.listen(port, '127.0.0.1');
    // The hourly check's work, now: past-due milestones become overdue, health is recomputed.
    await api.get(StatusCheckService, { strict: false }).run();
    browser = await launchBrowser();
  }, 600_000); // a fresh machine may first install Chromium with apt

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await worker?.close();
    await sink?.close();
    await db?.drop();
    if (prefix) await dropQueueKeys(prefix);
  });

  it('home: every health value in the data, with the counts the API gives, as a bar with its text', async () => {
    const expected: Record<string, number> = {};
    for (const item of await all('/v1/workstreams')) expected[item.health] = (expected[item.health] ?? 0) + 1;

    const context = await visitor();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const shown = Object.fromEntries(
      await page.locator('#health-legend li[data-health]').evaluateAll((items) =>
        items.map((li) => [li.getAttribute('data-health'), Number(li.querySelector('.count')?.textContent)]),
      ),
    );
    expect(shown).toEqual(expected);
    // The bar is an image with a text equivalent naming every count.
    const label = await page.locator('#health-heading ~ svg.healthbar').getAttribute('aria-label');
    for (const [health, count] of Object.entries(expected)) expect(label).toContain(`${count} ${health.replace('_', ' ')}`);
    // Every country and sector of the catalog, each linking to its page.
    const countries = await json<{ items: { code: string }[] }>('/v1/countries');
    for (const { code } of countries.items) expect(await page.locator(`a[href="/countries/${code}"]`).count()).toBeGreaterThan(0);
    await context.close();
  });

  it('the Malaysia page lists exactly the workstreams GET /v1/workstreams?country=MY lists, most serious first', async () => {
    const expected = (await all('/v1/workstreams?country=MY&sort=severity')).map((w) => w.slug);
    expect(expected.length).toBeGreaterThan(0);
    const context = await visitor();
    const page = await context.newPage();
    await page.goto(`${base}/countries/MY`);
    await page.getByRole('heading', { level: 1, name: 'Malaysia' }).waitFor();
    const listed = await page.locator('#workstreams > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-workstream')));
    expect(listed).toEqual(expected);

    // The health filter narrows the list the same way the API's does, without script.
    const health = (await all('/v1/workstreams?country=MY'))[0].health;
    await page.getByLabel('Health', { exact: true }).selectOption(health);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/health=/);
    const filtered = await page.locator('#workstreams > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-workstream')));
    expect(filtered).toEqual((await all(`/v1/workstreams?country=MY&health=${health}&sort=severity`)).map((w) => w.slug));
    await context.close();
  });

  it('a workstream page marks its overdue milestone and shows the source quote with its citation', async () => {
    const overdue = await db.prisma.milestone.findFirst({
      where: { status: 'overdue', workstream: { archivedAt: null } },
      include: { workstream: true },
      orderBy: { dueDate: 'asc' },
    });
    expect(overdue).not.toBeNull(); // the seed has past-due milestones the check marks
    const slug = overdue!.workstream.slug;
    const api = await json<{ source: { quote: string; title: string } }>(`/v1/workstreams/${slug}`);

    const context = await visitor();
    const page = await context.newPage();
    await page.goto(`${base}/workstreams/${slug}`);
    const item = page.locator('#milestones > li[data-status="overdue"]', { hasText: overdue!.title });
    await expect(item.count()).resolves.toBe(1);
    expect(await item.locator('.tag-overdue').first().textContent()).toBe('Overdue');
    // The due date shows its basis.
    const basis = { sourced: 'sourced date', planned: 'planned date', assumed: 'planning assumption' }[overdue!.dateBasis];
    expect(await item.textContent()).toContain(basis);
    expect((await page.locator('#source-quote').textContent())?.trim()).toBe(api.source.quote);
    expect(await page.locator('figcaption').textContent()).toContain(api.source.title);
    // Feeds of this workstream, at their public URLs.
    expect(await page.locator('main').getByRole('link', { name: /Atom feed/ }).getAttribute('href')).toBe(`/v1/feeds/events.atom?workstream=${slug}`);
    expect(await page.locator('main').getByRole('link', { name: /iCalendar/ }).getAttribute('href')).toBe(`/v1/feeds/milestones.ics?workstream=${slug}`);
    await context.close();
  });

  it('"health as of" a date: the date input reloads with ?asOf= and shows the health the API gives for that day', async () => {
    const slug = 'official-security-assistance-philippines';
    const context = await visitor();
    const page = await context.newPage();
    for (const day of ['2024-01-15', '2026-03-01']) {
      const expected = await json<{ health: string; healthReason: string }>(`/v1/workstreams/${slug}?asOf=${day}`);
      await page.goto(`${base}/workstreams/${slug}`);
      await page.getByLabel('Date', { exact: true }).fill(day);
      await page.getByRole('button', { name: 'Show health' }).click();
      await page.waitForURL(`${base}/workstreams/${slug}?asOf=${day}`);
      const asOf = page.locator('#health-as-of');
      expect(await asOf.getAttribute('data-health')).toBe(expected.health);
      expect(await asOf.textContent()).toContain(expected.healthReason);
    }
    // A date that does not exist: the error beside the input, the value kept.
    const res = await page.goto(`${base}/workstreams/${slug}?asOf=2024-02-31`);
    expect(res?.status()).toBe(400);
    expect(await page.locator('#asOf-error').textContent()).toContain('2024-06-30');
    await context.close();
  });

  it('/changes: the event log with the filters of /v1/events, a page at a time, as the API pages it', async () => {
    const context = await visitor({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/changes`);
    await page.getByLabel('Country', { exact: true }).selectOption('PH');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`${base}/changes?country=PH`);
    let url: string | null = '/v1/events?country=PH&limit=25';
    let pages = 0;
    while (url) {
      const expected: { items: { id: string }[]; nextCursor: string | null } = await json(url);
      const shown = await page.locator('#changes > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-event')));
      expect(shown).toEqual(expected.items.map((e) => e.id));
      pages += 1;
      const older = page.getByRole('link', { name: 'Older changes' });
      expect(await older.count()).toBe(expected.nextCursor ? 1 : 0);
      if (!expected.nextCursor) break;
      url = `/v1/events?country=PH&limit=25&cursor=${encodeURIComponent(expected.nextCursor)}`;
      await older.click();
      await page.waitForURL(/cursor=/);
    }
    expect(pages).toBeGreaterThan(1); // the seed has more than a page of changes for the Philippines
    await context.close();
  });

  it('subscribes to Philippines × maritime security with the weekly digest in Asia/Manila, and confirms from the email', async () => {
    const email = `pages-${randomBytes(3).toString('hex')}@example.org`;
    const context = await visitor({ timezoneId: 'Asia/Manila' });
    const page = await context.newPage();
    await page.goto(`${base}/subscribe`);
    // Where script runs, the page guesses the time zone from the browser.
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Asia/Manila');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Country 1').selectOption('PH');
    await page.getByLabel('in sector 1').selectOption('maritime-security');
    await page.getByLabel('Instant alerts when something I follow moves').uncheck();
    await page.getByLabel('A weekly digest').check();
    await page.getByLabel('Day', { exact: true }).selectOption('friday');
    await page.getByLabel('Hour').selectOption('9');
    const before = sink.messages.length;
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your inbox' }).waitFor();

    const mail = (await sink.waitFor(before + 1, 20_000)).find((m) => m.to && JSON.stringify(m.to).includes(email));
    expect(mail).toBeDefined();
    await page.goto(confirmLinkIn(mail!.text ?? ''));
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.getByRole('heading', { level: 1, name: 'Subscription confirmed' }).waitFor();
    // The email-link pages share the layout: skip link, landmarks, the site's stylesheet.
    expect(await page.locator('a.skip-link').count()).toBe(1);
    expect(await page.locator('link[rel="stylesheet"]').getAttribute('href')).toMatch(/^\/assets\/site\./);
    await page.screenshot({ path: path.join(ARTIFACTS, 'confirm-1280.png'), fullPage: true });

    const subscriber = await db.prisma.subscriber.findUnique({ where: { email }, include: { subscriptions: true } });
    expect(subscriber).toMatchObject({ state: 'active', alerts: false, digest: true, timezone: 'Asia/Manila', digestDay: 'friday', digestHour: 9 });
    expect(subscriber!.subscriptions.map((s) => ({ country: s.countryCode, sector: s.sectorSlug, workstream: s.workstreamId }))).toEqual([
      { country: 'PH', sector: 'maritime-security', workstream: null },
    ]);
    await context.close();
  });

  it('works with JavaScript off: a bad address shows its error beside the field, every other input kept', async () => {
    const context = await visitor({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/subscribe?sector=space`);
    const zone = page.getByLabel('Time zone');
    expect(await zone.inputValue()).toBe('UTC'); // nothing guessed without script
    expect(await page.getByLabel('Space', { exact: true }).isChecked()).toBe(true); // the link prefilled it
    await page.getByLabel('Email address').fill('not an address');
    await page.getByLabel('Viet Nam', { exact: true }).check();
    await zone.fill('Europe/Paris');
    await page.getByLabel('Hour').selectOption('17');
    const response = page.waitForResponse((r) => r.url() === `${base}/subscribe` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    expect((await response).status()).toBe(400);

    const emailInput = page.getByLabel('Email address');
    expect(await emailInput.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await emailInput.getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toMatch(/email address/i);
    // Beside the field: the error follows the input in the same field.
    expect(await page.locator('.field:has(#email) .field-error').count()).toBe(1);
    expect(await emailInput.inputValue()).toBe('not an address');
    expect(await page.getByLabel('Space', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Viet Nam', { exact: true }).isChecked()).toBe(true);
    expect(await zone.inputValue()).toBe('Europe/Paris');
    expect(await page.getByLabel('Hour').inputValue()).toBe('17');
    expect(await page.locator('#error-summary').textContent()).toContain('Nothing was sent');
    await page.screenshot({ path: path.join(ARTIFACTS, 'subscribe-error-1280.png'), fullPage: true });

    const email = `nojs-${randomBytes(3).toString('hex')}@example.org`;
    await emailInput.fill(email);
    const before = sink.messages.length;
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your inbox' }).waitFor();
    await sink.waitFor(before + 1, 20_000);
    const subscriber = await db.prisma.subscriber.findUnique({ where: { email }, include: { subscriptions: true } });
    expect(subscriber).toMatchObject({ state: 'pending', timezone: 'Europe/Paris', digestHour: 17 });
    expect(subscriber!.subscriptions.map((s) => s.countryCode ?? s.sectorSlug).sort()).toEqual(['VN', 'space']);
    await context.close();
  });

  it('the subscribe form can be filled and sent with the keyboard alone, focus always visible', async () => {
    const email = `keys-${randomBytes(3).toString('hex')}@example.org`;
    const context = await visitor();
    const page = await context.newPage();
    await page.goto(`${base}/subscribe`);
    interface Focused { tag?: string; id?: string; text?: string; value?: string; outline: string }
    // Evaluated in the page (a string: this project's types have no DOM).
    const focused = () =>
      page.evaluate<Focused>(`(() => {
        const el = document.activeElement;
        const style = el ? getComputedStyle(el) : null;
        return { tag: el?.tagName.toLowerCase(), id: el?.id, text: el?.textContent?.trim(), value: el?.value, outline: style ? style.outlineStyle + ' ' + style.outlineWidth : '' };
      })()`);

    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'a', text: 'Skip to content' });
    expect((await focused()).outline).not.toMatch(/^none/);
    await page.keyboard.press('Enter'); // to the main content
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ id: 'email' });
    expect((await focused()).outline).not.toMatch(/^none/);
    await page.keyboard.type(email);

    async function tabTo(match: (f: Focused) => boolean, what: string) {
      for (let i = 0; i < 200; i += 1) {
        await page.keyboard.press('Tab');
        const now = await focused();
        if (match(now)) return now;
      }
      throw new Error(`Tab never reached ${what}`);
    }
    const philippines = await tabTo((f) => f.tag === 'input' && f.value === 'PH', 'the Philippines checkbox');
    expect(philippines.outline).not.toMatch(/^none/);
    await page.keyboard.press('Space');
    const submit = await tabTo((f) => f.tag === 'button' && f.text === 'Subscribe', 'the Subscribe button');
    expect(submit.outline).not.toMatch(/^none/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Check your inbox' }).waitFor();
    // The API records the request; the worker applies the topics (the answer never waits on that).
    const subscriber = await eventually(
      async () => {
        const row = await db.prisma.subscriber.findUnique({ where: { email }, include: { subscriptions: true } });
        return row && row.subscriptions.length > 0 ? row : null;
      },
      20_000,
      'the worker to apply the form’s topics',
    );
    expect(subscriber.subscriptions.map((s) => s.countryCode)).toEqual(['PH']);
    await context.close();
  });

  it('every page type: no serious or critical axe violation, readable at 360 px, screenshots at 1280 and 390 px', async () => {
    const workstream = 'official-security-assistance-philippines';
    const pages: [name: string, url: string, status: number][] = [
      ['home', '/', 200],
      ['country', '/countries/PH', 200],
      ['sector', '/sectors/maritime-security', 200],
      ['workstream', `/workstreams/${workstream}?asOf=2024-06-30`, 200],
      ['changes', '/changes', 200],
      ['subscribe', '/subscribe?country=PH&sector=maritime-security', 200],
      ['not-found', '/workstreams/no-such-commitment', 404],
    ];
    // The pages the links in emails open share the layout: a subscriber of this test's own.
    const email = `axe-${randomBytes(3).toString('hex')}@example.org`;
    const subscribed = await fetch(`${base}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.9' },
      body: JSON.stringify({ email, countries: ['PH'] }),
    });
    expect(subscribed.status).toBe(202);
    const holder = await db.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    const links = api.get(SubscriberLinks, { strict: false });
    pages.push(['manage', links.manageUrl(holder).slice(base.length), 200], ['unsubscribe', links.unsubscribeUrl(holder).slice(base.length), 200]);

    // axe is injected as a script of its own, which the pages' CSP (nonce only) would refuse.
    const context = await visitor({ bypassCSP: true });
    const page = await context.newPage();
    const failures: string[] = [];
    for (const [name, url, status] of pages) {
      const response = await page.goto(`${base}${url}`);
      expect(response?.status()).toBe(status);
      await page.addScriptTag({ content: AXE_SOURCE });
      const violations = await page.evaluate<{ id: string; impact: string; targets: string[] }[]>(`axe
        .run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
        .then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`);
      for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
        failures.push(`${name}: ${v.impact} ${v.id} at ${v.targets.join(', ')}`);
      }
      // Every page: a title, a description, Open Graph, lang, a skip link to the main landmark.
      expect(await page.title()).toMatch(/ · Pledgewatch$/);
      expect(await page.locator('meta[name="description"]').getAttribute('content')).toBeTruthy();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.locator('a.skip-link[href="#main"]').count()).toBe(1);
      expect(await page.locator('header nav, main#main, footer').count()).toBe(3);
      if (status === 200 && !url.startsWith('/v1/')) expect(await page.locator('meta[property="og:title"]').getAttribute('content')).toBeTruthy();

      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-1280.png`), fullPage: true });
      await page.setViewportSize({ width: 360, height: 800 });
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-390.png`), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await context.close();
    expect(failures).toEqual([]);
  });

  it('pages carry an ETag (304 when unchanged), Cache-Control for a minute, and a CSP whose nonce is the inline script\'s', async () => {
    const res = await fetch(`${base}/subscribe`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);

    // (fetch adds Cache-Control: no-cache to a conditional request unless one is given.)
    const again = await fetch(`${base}/subscribe`, { headers: { 'if-none-match': res.headers.get('etag')!, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);
    // A new nonce every response, whatever the cache.
    expect(again.headers.get('content-security-policy')).not.toContain(nonce);

    // The form route takes form encoding only; JSON belongs to POST /v1/subscriptions.
    const asJson = await fetch(`${base}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' }, body: '{}' });
    expect(asJson.status).toBe(415);

    // A shared link picks up tracking parameters: the page ignores them; any other unknown one is a 400.
    expect((await fetch(`${base}/?utm_source=newsletter`)).status).toBe(200);
    expect((await fetch(`${base}/countries/MY?fbclid=abc`)).status).toBe(200);
    expect((await fetch(`${base}/?token=abc`)).status).toBe(400);

    // An unknown address: a helpful page for a browser, problem+json for the API.
    const missing = await fetch(`${base}/countries/XX`, { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Page not found');
    const route = await fetch(`${base}/no-such-page`, { headers: { accept: 'text/html' } });
    expect(route.status).toBe(404);
    expect(route.headers.get('content-type')).toContain('text/html');
    const apiRoute = await fetch(`${base}/v1/no-such-route`, { headers: { accept: 'text/html' } });
    expect(apiRoute.status).toBe(404);
    expect(apiRoute.headers.get('content-type')).toContain('application/problem+json');
  });
});
