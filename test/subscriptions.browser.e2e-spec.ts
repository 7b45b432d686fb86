import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { ParsedMail } from 'mailparser';
import { freePort } from '../scripts/net';
import { bootApi } from './support/api';
import { bootWorker, testEnv } from './support/alerts-harness';
import { HeadlessChromium, launchChromium } from './support/chromium';
import { createTestDatabase, TestDatabase } from './support/database';
import { factories } from './support/factories';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

const ARTIFACTS = path.resolve(__dirname, 'artifacts');

function linkIn(mail: ParsedMail, base: string, page: 'confirm' | 'manage' | 'unsubscribe'): string {
  const match = new RegExp(`${base}/v1/subscriptions/${page}\\?token=[A-Za-z0-9_.%-]+`).exec(mail.text ?? '');
  if (!match) throw new Error(`no ${page} link in:\n${mail.text}`);
  return match[0];
}

/** A person with a real browser follows the links in their email (headless Chromium). */
describe('Subscription pages in a real browser', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let app: INestApplication;
  let worker: INestApplicationContext;
  let browser: HeadlessChromium;
  let base: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    [db, sink] = await Promise.all([createTestDatabase(), startSmtpSink()]);
    // The API records the request; the worker sends the confirmation.
    const env = testEnv(db.url, `pwtest-browser-${randomBytes(4).toString('hex')}`, sink.url, { PUBLIC_BASE_URL: base });
    app = await bootApi(db.url, env);
    worker = await bootWorker(env);
    await app.listen(port, '127.0.0.1');
    const f = factories(db.prisma);
    await f.country('MY', 'Malaysia');
    await f.country('PH', 'Philippines');
    await f.sector('maritime-security', 'Maritime security');
    await f.sector('space', 'Space');
    browser = await launchChromium();
  }, 600_000); // a fresh machine may first install Chromium with apt

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await worker?.close();
    await sink?.close();
    await db?.drop();
  });

  it('confirms from the email, then changes a preference through the manage form', async () => {
    const email = `browser-${randomBytes(3).toString('hex')}@example.org`;
    const res = await fetch(`${base}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, countries: ['MY'], timezone: 'Asia/Kuala_Lumpur' }),
    });
    expect(res.status).toBe(202);
    const [mail] = await sink.waitFor(1);
    const page = await browser.context.newPage();

    // Confirm: the link exactly as the email carries it opens a page; its button confirms.
    await page.goto(linkIn(mail, base, 'confirm'));
    await page.getByRole('heading', { level: 1, name: 'Confirm your subscription' }).waitFor();
    expect(await db.prisma.subscriber.findUnique({ where: { email } })).toMatchObject({ state: 'pending' });
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.getByRole('heading', { level: 1, name: 'Subscription confirmed' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.screenshot({ path: path.join(ARTIFACTS, 'confirm-page.png'), fullPage: true });
    expect(await db.prisma.subscriber.findUnique({ where: { email } })).toMatchObject({ state: 'active' });

    // Manage: tick a sector, move the digest hour, save.
    await page.goto(linkIn(mail, base, 'manage'));
    await page.getByRole('heading', { level: 1, name: 'Your Pledgewatch preferences' }).waitFor();
    expect(await page.getByLabel('Malaysia').isChecked()).toBe(true);
    await page.getByLabel('Maritime security').first().check();
    await page.getByLabel('Hour').selectOption('17');
    await page.getByLabel('Day', { exact: true }).selectOption('thursday');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Your preferences are saved.').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'manage-page.png'), fullPage: true });

    const saved = await db.prisma.subscriber.findUnique({ where: { email }, include: { subscriptions: true } });
    expect(saved).toMatchObject({ state: 'active', digestHour: 17, digestDay: 'thursday', timezone: 'Asia/Kuala_Lumpur' });
    expect(saved!.subscriptions.map((s) => `${s.countryCode ?? '-'} ${s.sectorSlug ?? '-'}`).sort()).toEqual(['- maritime-security', 'MY -']);
    // The page shows what was saved.
    expect(await page.getByLabel('Maritime security').first().isChecked()).toBe(true);
    expect(await page.getByLabel('Hour').inputValue()).toBe('17');

    // Unsubscribe: the page alone changes nothing; its button does.
    await page.goto(linkIn(mail, base, 'unsubscribe'));
    await page.getByRole('heading', { level: 1, name: 'Unsubscribe from Pledgewatch' }).waitFor();
    expect(await db.prisma.subscriber.findUnique({ where: { email } })).toMatchObject({ state: 'active' });
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { level: 1, name: 'You are unsubscribed' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'unsubscribed-page.png'), fullPage: true });
    expect(await db.prisma.subscriber.findUnique({ where: { email } })).toMatchObject({ state: 'unsubscribed' });
  });
});
