import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { AlertFacts, alertTemplateData } from '@pledgewatch/alerts';
import { MailRenderer } from '@pledgewatch/mail';
import { seed } from '../prisma/seed';
import { bearer, insertApiKey } from './support/admin';
import { bootApi } from './support/api';
import { launchBrowser } from './support/chromium';
import { createTestDatabase, TestDatabase } from './support/database';
import { digestSubscriber } from './support/digest-harness';

const ARTIFACTS = path.resolve(__dirname, 'artifacts', 'mail');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = 'https://pledgewatch.example';

/** A health change an editor's write brought: the alert names the write, its note and evidence. */
const ALERT: AlertFacts = {
  eventId: 'sample',
  type: 'workstream.health_changed',
  from: 'at_risk',
  to: 'on_track',
  reason: 'Next: "FY2025 OSA equipment handed over", due March 2028 (planned date).',
  actor: 'Desk editor',
  note: null,
  evidenceUrl: null,
  occurredAt: new Date('2026-03-04T09:00:00Z'),
  workstream: { id: 'w', slug: 'osa-malaysia', title: 'Official Security Assistance to Malaysia', health: 'on_track', healthReason: '' },
  countries: ['Malaysia'],
  milestone: null,
  siblings: [
    {
      type: 'milestone.completed',
      from: 'in_progress',
      to: 'completed',
      reason: '"FY2024 OSA equipment handed over" completed on 3 March 2026.',
      actor: 'Desk editor',
      note: 'Rescue boats handed over to the Malaysian Maritime Enforcement Agency at Kota Kinabalu.',
      evidenceUrl: 'https://www.mofa.go.jp/press/release/pressite_000001_00001.html',
      milestone: {
        title: 'FY2024 OSA equipment handed over',
        dueDate: '2026-03-31',
        datePrecision: 'month',
        dateBasis: 'planned',
        actualStart: null,
        actualStartPrecision: 'day',
        completedOn: '2026-03-03',
        completedOnPrecision: 'day',
        evidenceUrl: null,
      },
    },
  ],
};

/**
 * The emails a reader gets, opened in a browser: the sample alert and the seeded digest meet the
 * pages' bar (no serious or critical axe violation, readable at 390 px), and the workstream page
 * says a review is due. Screenshots at 1280 and 390 px go to test/artifacts/mail/.
 */
describe('emails in a browser: axe and screenshots', () => {
  let db: TestDatabase;
  let api: INestApplication;
  let browser: Browser;
  let base: string;
  let digestHtml: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    db = await createTestDatabase('pw_mail_browser');
    await seed(db.prisma, { asOf: new Date('2026-12-07T06:00:00Z') });
    const reader = await digestSubscriber(db.prisma, {
      email: 'reader@example.org',
      timezone: 'Asia/Manila',
      topics: [{ countryCode: 'PH' }, { countryCode: 'MY' }, { countryCode: 'ID' }, { sectorSlug: 'maritime-security' }],
    });
    // The week's news: an editor recorded a completion (with a note and evidence) and the health
    // change it brought, and the check found a milestone's month passed.
    const done = await db.prisma.milestone.findFirstOrThrow({ where: { status: 'completed', workstream: { countries: { some: { countryCode: 'MY' } } } }, include: { workstream: true } });
    const open = await db.prisma.milestone.findFirstOrThrow({ where: { status: { in: ['not_started', 'in_progress'] }, workstream: { countries: { some: { countryCode: 'PH' } } } } });
    const at = new Date('2026-12-03T02:00:00Z');
    await db.prisma.event.createMany({
      data: [
        { workstreamId: done.workstreamId, milestoneId: done.id, type: 'milestone_completed', from: 'in_progress', to: 'completed', reason: 'x', actor: 'Desk editor', occurredAt: at, note: 'Handover confirmed by the agency.', evidenceUrl: 'https://www.mofa.go.jp/press/release/sample.html' },
        { workstreamId: done.workstreamId, type: 'workstream_health_changed', from: 'at_risk', to: 'on_track', reason: done.workstream.healthReason, actor: 'Desk editor', occurredAt: at },
        { workstreamId: open.workstreamId, milestoneId: open.id, type: 'milestone_rescheduled', from: '2026-03-31', to: open.dueDate.toISOString().slice(0, 10), reason: 'x', actor: 'Desk editor', occurredAt: new Date('2026-12-04T02:00:00Z'), note: 'The ministry announced the new date.' },
      ],
    });
    api = await bootApi(db.url, { QUEUE_PREFIX: 'test-mail-browser', PUBLIC_BASE_URL: BASE });
    await api.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    const admin = (await insertApiKey(db.prisma, 'admin', 'admin')).key;
    const preview = await request(api.getHttpServer())
      .get(`/v1/admin/digests/preview?subscriber=${reader.id}&asOf=2026-12-07T00:00:00Z`)
      .set(bearer(admin))
      .set('Accept', 'application/json')
      .expect(200);
    digestHtml = preview.body.html;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await db?.drop();
  });

  async function check(name: string, load: (page: Page) => Promise<unknown>): Promise<string[]> {
    const failures: string[] = [];
    for (const width of [1280, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
      const page = await context.newPage();
      await load(page);
      await page.addScriptTag({ content: AXE_SOURCE });
      const violations = await page.evaluate<{ id: string; impact: string; targets: string[] }[]>(`axe
        .run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
        .then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`);
      for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) failures.push(`${name}@${width}: ${v.impact} ${v.id} at ${v.targets.join(', ')}`);
      // Nothing wider than the screen.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
      await context.close();
    }
    return failures;
  }

  it('the alert says what happened, and passes axe at 1280 and 390 px', async () => {
    const data = alertTemplateData(ALERT, { publicBaseUrl: BASE, manageUrl: `${BASE}/v1/subscriptions/manage?token=t`, unsubscribeUrl: `${BASE}/v1/subscriptions/unsubscribe?token=t` });
    const { html } = new MailRenderer().render('alert', data);
    expect(data.subject).toBe(
      "[Malaysia] Official Security Assistance to Malaysia: Milestone 'FY2024 OSA equipment handed over' completed on 3 March 2026 (now on track)",
    );
    expect(await check('alert', (page) => page.setContent(html))).toEqual([]);
  });

  it('the seeded digest passes axe at 1280 and 390 px (text contrast included)', async () => {
    expect(digestHtml).toContain('Your weekly digest');
    expect(digestHtml).toContain('Handover confirmed by the agency.');
    expect(await check('digest', (page) => page.setContent(digestHtml))).toEqual([]);
  });

  it('a review-due workstream says so on its page, in words', async () => {
    const due = await db.prisma.workstream.findFirst({ where: { archivedAt: null }, orderBy: [{ lastReviewedAt: { sort: 'asc', nulls: 'first' } }] });
    expect(due).not.toBeNull();
    // Reviewed long ago: due by any window.
    await db.prisma.workstream.update({ where: { id: due!.id }, data: { lastReviewedAt: new Date('2026-05-31T00:00:00Z') } });
    const failures = await check('workstream-review-due', async (page) => {
      const response = await page.goto(`${base}/workstreams/${due!.slug}`);
      expect(response?.status()).toBe(200);
      expect(await page.locator('#review-due').innerText()).toMatch(/Last reviewed 31 May 2026 — review due/);
    });
    expect(failures).toEqual([]);
  });
});
