import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { StatusCheckService } from '@pledgewatch/status';
import { seed } from '../prisma/seed';
import { freePort } from '../scripts/net';
import { testEnv } from './support/alerts-harness';
import { bootApi } from './support/api';
import { launchBrowser } from './support/chromium';
import { createTestDatabase, TestDatabase } from './support/database';
import { dropQueueKeys, testQueuePrefix } from './support/queues';

const ARTIFACTS = path.resolve(__dirname, 'artifacts', 'analyst-pages');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface Item {
  slug: string;
  title: string;
  health: string;
  healthReason: string;
}

/**
 * An analyst's questions, each answered by following links from the home page in headless
 * Chromium, over the seeded data after a status check; what the pages show is what the JSON API
 * answers. See docs/pages.md.
 */
describe('Pages an analyst answers questions from', () => {
  let db: TestDatabase;
  let api: INestApplication;
  let browser: Browser;
  let base: string;
  let prefix: string;
  let clients = 0;

  async function visitor(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
    clients += 1;
    return browser.newContext({ viewport: { width: 1280, height: 900 }, ...options, extraHTTPHeaders: { 'X-Forwarded-For': `192.0.2.${clients}` } });
  }

  async function json<T>(url: string): Promise<T> {
    const res = await fetch(`${base}${url}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  async function all(url: string): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Item[]; nextCursor: string | null } = await json(`${url}${url.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  const listed = (page: Page) => page.locator('#workstreams > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-workstream')));

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prefix = testQueuePrefix('analyst');
    db = await createTestDatabase('pw_analyst');
    await seed(db.prisma);
    api = await bootApi(db.url, testEnv(db.url, prefix, 'smtp://127.0.0.1:9', { PUBLIC_BASE_URL: base }));
    await api.listen(port, '127.0.0.1');
    await api.get(StatusCheckService, { strict: false }).run();
    browser = await launchBrowser();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await db?.drop();
    if (prefix) await dropQueueKeys(prefix);
  });

  it('which commitments need attention, and why: the home legend opens each list, with its reasons', async () => {
    const context = await visitor({ javaScriptEnabled: false });
    const page = await context.newPage();
    // As of today the seed holds at-risk commitments and ones nobody has reviewed in time to judge.
    for (const health of ['at_risk', 'unknown']) {
      const expected = await all(`/v1/workstreams?health=${health}&sort=severity`);
      expect(expected.length).toBeGreaterThan(0);
      await page.goto(`${base}/`);
      await page.locator(`#health-legend li[data-health="${health}"] a`).click();
      await page.waitForURL(`${base}/workstreams?health=${health}`);
      expect(await listed(page)).toEqual(expected.map((w) => w.slug));
      // Why: each card carries the health and the reason the check gave.
      for (const w of expected) {
        const card = page.locator(`#workstreams > li[data-workstream="${w.slug}"]`);
        expect(await card.locator('.health').textContent()).toBe(health === 'at_risk' ? 'At risk' : 'Unknown');
        expect(await card.textContent()).toContain(w.healthReason);
      }
    }
    // Every bar segment links to the same list as its legend entry.
    await page.goto(`${base}/`);
    const segments = await page.locator('#health-heading ~ svg.healthbar a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    const legend = await page.locator('#health-legend a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(segments).toEqual(legend);
    // And all of those needing attention at once.
    await page.locator('#attention-link').click();
    await page.waitForURL(`${base}/workstreams?health=off_track,at_risk,stalled`);
    expect(await listed(page)).toEqual((await all('/v1/workstreams?health=off_track,at_risk,stalled&sort=severity')).map((w) => w.slug));
    await context.close();
  });

  it('what changed last month: "What changed" from home, then "Last 30 days", each change with its milestone and evidence', async () => {
    const context = await visitor();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Every change' }).click();
    await page.getByRole('link', { name: 'Last 30 days' }).click();
    const since = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    await page.waitForURL(`${base}/changes?since=${since}`);
    const expected = await json<{ items: { id: string; type: string; milestoneId: string | null }[] }>(`/v1/events?since=${since}&limit=25`);
    const shown = await page.locator('#changes > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-event')));
    expect(shown).toEqual(expected.items.map((e) => e.id));

    // Over the whole log: a milestone's change names the milestone and links its evidence; a fact
    // known to the day has no "00:00 UTC"; statuses are words.
    await page.goto(`${base}/changes?workstream=japan-philippines-coast-guard-cooperation`);
    const text = (await page.locator('#changes').textContent()) ?? '';
    expect(text).not.toContain('00:00 UTC');
    expect(text).not.toMatch(/not_started|in_progress|off_track/);
    const loan = page.locator('#changes > li', { hasText: 'Loan agreement for the five 97-m patrol ships signed (JICA)' }).first();
    expect(await loan.locator('.milestone-title').textContent()).toBe('Loan agreement for the five 97-m patrol ships signed (JICA)');
    expect(await loan.locator('a', { hasText: 'Evidence' }).getAttribute('href')).toMatch(/^https:\/\//);
    expect(await loan.locator('time').textContent()).toBe('10 June 2024');
    await context.close();
  });

  it('what did Japan promise Malaysia, and what has happened since: the Malaysia page, then the commitment and its history', async () => {
    const expected = await all('/v1/workstreams?country=MY&sort=severity');
    const context = await visitor();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Malaysia', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Malaysia' }).waitFor();
    expect(await listed(page)).toEqual(expected.map((w) => w.slug));
    expect(expected.map((w) => w.slug)).toEqual(expect.arrayContaining(['japan-malaysia-comprehensive-strategic-partnership', 'official-security-assistance-malaysia']));

    await page.locator('#workstreams').getByRole('link', { name: 'Japan–Malaysia Comprehensive Strategic Partnership' }).click();
    await page.getByRole('heading', { level: 1, name: 'Japan–Malaysia Comprehensive Strategic Partnership' }).waitFor();
    const detail = await json<{ history: { id: string }[] }>('/v1/workstreams/japan-malaysia-comprehensive-strategic-partnership');
    expect(await page.locator('#history > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-event')))).toEqual(detail.history.map((e) => e.id));
    expect(await page.locator('#milestones').textContent()).toContain('Follow-up leaders');
    // Health over time: an image whose text alternative lists the periods, and the periods in words.
    const strip = page.locator('#health-strip');
    expect(await strip.getAttribute('role')).toBe('img');
    const periods = await page.locator('#health-periods > li').count();
    expect(periods).toBeGreaterThan(0);
    expect(await strip.getAttribute('aria-label')).toMatch(/^Health over time: .+ until today\.$/);
    expect(await strip.locator('rect').count()).toBe(periods);

    // The same question by search from the home page, and as the country × sector view.
    await page.goto(`${base}/`);
    await page.getByLabel('Search every commitment').fill('Malaysia surveillance');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(`${base}/workstreams?q=Malaysia+surveillance`);
    expect((await listed(page))[0]).toBe('official-security-assistance-malaysia');
    const maritime = await all('/v1/workstreams?country=MY&sector=maritime-security&sort=severity');
    await page.goto(`${base}/countries/MY?sector=maritime-security`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Malaysia × Maritime security');
    expect(await listed(page)).toEqual(maritime.map((w) => w.slug));
    await context.close();
  });

  it.each([
    ['Bakamla', 'patrol-vessel-indonesia-bakamla', 'Bakamla'],
    ['97-metre', 'japan-philippines-coast-guard-cooperation', '97'],
  ])('search for %s finds %s first, with the match highlighted, as the API ranks it', async (q, slug, marked) => {
    const expected = await json<{ items: Item[] }>(`/v1/workstreams?q=${encodeURIComponent(q)}`);
    expect(expected.items[0].slug).toBe(slug);
    const context = await visitor();
    const page = await context.newPage();
    await page.goto(`${base}/workstreams?q=${encodeURIComponent(q)}`);
    expect(await listed(page)).toEqual(expected.items.map((w) => w.slug));
    const marks = await page.locator(`#workstreams > li[data-workstream="${slug}"] mark`).allTextContents();
    expect(marks).toContain(marked);
    await context.close();
  });

  it('sorts and filters a shareable list without script: the selects make the URL, the list is the API\'s', async () => {
    const context = await visitor({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/workstreams`);
    await page.getByLabel('Sort').selectOption('due');
    await page.getByLabel('Country').selectOption('PH');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`${base}/workstreams?country=PH&sort=due`);
    expect(await listed(page)).toEqual((await all('/v1/workstreams?country=PH&sort=due')).map((w) => w.slug));
    await context.close();
  });

  it('/due: the next 30 or 90 days and past due awaiting review, with the iCalendar link for the same filter', async () => {
    const context = await visitor({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Due', exact: true }).click();
    await page.getByLabel('Due within').selectOption('90');
    await page.getByLabel('Country').selectOption('PH');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`${base}/due?within=90&country=PH`);
    expect(await page.locator('#ics-link').getAttribute('href')).toBe('/v1/feeds/milestones.ics?country=PH');
    const overdue = await db.prisma.milestone.findMany({
      where: { status: 'overdue', workstream: { archivedAt: null, stage: { in: ['pipeline', 'implementation', 'finalisation'] }, countries: { some: { countryCode: 'PH' } } } },
    });
    const past = (await page.locator('#due-past').textContent().catch(() => '')) ?? '';
    for (const m of overdue) expect(past).toContain(m.title);
    const today = new Date().toISOString().slice(0, 10);
    const soon = await db.prisma.milestone.findMany({
      where: {
        status: { in: ['not_started', 'in_progress', 'overdue', 'deferred'] },
        dueDate: { gte: new Date(`${today}T00:00:00Z`), lte: new Date(Date.parse(`${today}T00:00:00Z`) + 90 * 86_400_000) },
        workstream: { archivedAt: null, stage: { in: ['pipeline', 'implementation', 'finalisation'] }, countries: { some: { countryCode: 'PH' } } },
      },
    });
    const upcoming = (await page.locator('#due-upcoming').textContent().catch(() => '')) ?? '';
    for (const m of soon) expect(upcoming).toContain(m.title);
    expect(await page.locator('#due-upcoming > li').count()).toBe(soon.length);
    const ics = await fetch(`${base}/v1/feeds/milestones.ics?country=PH`);
    expect(ics.status).toBe(200);
    await context.close();
  });

  it('/summits/{slug}: a parties × workstreams matrix, health in words in every filled cell, each linking its workstream', async () => {
    const [summit] = (await json<{ items: { slug: string; name: string }[] }>('/v1/summits')).items;
    const items = await all(`/v1/workstreams?summit=${summit.slug}`);
    const context = await visitor();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.locator('#summit-heading a').click();
    await page.waitForURL(`${base}/summits/${summit.slug}`);
    const rows = await page.locator('#matrix tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-workstream')));
    expect(new Set(rows)).toEqual(new Set(items.map((w) => w.slug)));
    for (const w of items) {
      const filled = page.locator(`#matrix tr[data-workstream="${w.slug}"] td a`);
      const links = await filled.evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
      expect(links.length).toBeGreaterThan(0);
      for (const [href, text] of links) {
        expect(href).toBe(`/workstreams/${w.slug}`);
        expect(text).toMatch(/^(Off track|At risk|Stalled|Unknown|On track|Complete|Inactive) \(open /);
      }
    }
    await context.close();
  });

  it('a bad filter answers a page that names the parameter; the API names it in problem+json', async () => {
    for (const [url, field] of [
      ['/countries/PH?sector=no-such-sector', 'sector'],
      ['/countries/PH?health=great', 'health'],
      ['/workstreams?sort=colour', 'sort'],
      ['/workstreams?sort=relevance', 'sort'],
      ['/due?within=45', 'within'],
    ]) {
      const res = await fetch(`${base}${url}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain(`<strong>${field}</strong>:`);
    }
    const problem = await fetch(`${base}/v1/workstreams?instrument=loan`);
    expect(problem.status).toBe(400);
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
    expect(((await problem.json()) as { errors: { field: string }[] }).errors[0].field).toBe('instrument');
  });

  it('every new page type: no serious or critical axe violation, no sideways scroll at 390 px, screenshots at 1280 and 390 px', async () => {
    const [summit] = (await json<{ items: { slug: string }[] }>('/v1/summits')).items;
    const pages: [name: string, url: string, status: number][] = [
      ['home', '/', 200],
      ['workstreams', '/workstreams', 200],
      ['search', '/workstreams?q=97-metre', 200],
      ['country-sector', '/countries/PH?sector=maritime-security', 200],
      ['due', '/due?within=90', 200],
      ['summit', `/summits/${summit.slug}`, 200],
      ['changes', '/changes', 200],
      ['workstream', '/workstreams/japan-philippines-coast-guard-cooperation', 200],
      ['bad-filter', '/countries/PH?sector=no-such-sector', 400],
    ];
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
      for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) failures.push(`${name}: ${v.impact} ${v.id} at ${v.targets.join(', ')}`);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-1280.png`), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(`${name}: ${await page.evaluate<number>('document.documentElement.scrollWidth')}`).toBe(`${name}: 390`);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-390.png`), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await context.close();
    expect(failures).toEqual([]);
  });
});
