import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { bearer, insertApiKey, insertReferenceData } from './support/admin';
import { bootWorker, dropQueueKeys, eventually, settle, testEnv, testQueuePrefix } from './support/alerts-harness';
import { JobQueues, QUEUES } from '@pledgewatch/queue';
import { bootApi } from './support/api';
import { createTestDatabase, TestDatabase } from './support/database';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { followAsBrowser, linksIn } from './support/follow-links';
import { humanDay } from '@pledgewatch/dates';

const BASE = 'http://pledgewatch.test';

/** The path and query of a link in an email, to follow it against the booted API. */
function pathOf(link: string): string {
  const url = new URL(link);
  expect(url.origin).toBe(BASE);
  return `${url.pathname}${url.search}`;
}

function linkIn(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  if (!match) throw new Error(`no link matching ${pattern} in:\n${text}`);
  return match[0];
}

const header = (mail: ParsedMail, name: string): string | undefined =>
  mail.headerLines.find((line) => line.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n\s+/g, ' ');

/**
 * The whole journey through the booted API and worker, a real Postgres, Redis and an SMTP server:
 * subscribe → confirm from the email → an editor completes a milestone → exactly one alert →
 * one-click unsubscribe → the next change sends nothing.
 */
describe('journey: from subscribing to an alert to unsubscribing in one click', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let api: INestApplication;
  let worker: INestApplicationContext;
  let editorKey: string;
  const queuePrefix = testQueuePrefix('alerts-journey');

  beforeAll(async () => {
    db = await createTestDatabase('pw_alerts_journey');
    await insertReferenceData(db.prisma);
    sink = await startSmtpSink();
    const env = testEnv(db.url, queuePrefix, sink.url, { PUBLIC_BASE_URL: BASE });
    api = await bootApi(db.url, env);
    worker = await bootWorker(env);
    editorKey = (await insertApiKey(db.prisma, 'Desk editor', 'editor')).key;
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await sink?.close();
    await dropQueueKeys(queuePrefix);
    await db?.drop();
  });

  it('subscribes, confirms, gets one alert with the right subject, text, links and headers, and unsubscribes in one click', async () => {
    const server = api.getHttpServer();

    // An editor tracks a commitment: two milestones under way, so completing one leaves health as it was.
    const created = await request(server)
      .post('/v1/admin/workstreams')
      .set(bearer(editorKey))
      .send({
        title: 'Coastal radar for the Philippine Coast Guard',
        summary: 'Japan provides coastal radar systems under Official Security Assistance.',
        summit: 'test-summit',
        countries: ['PH'],
        sectors: ['maritime-security'],
        instrument: 'osa',
        stage: 'implementation',
        milestones: [
          { title: 'Exchange of notes signed', dueDate: future(60), status: 'in_progress' },
          { title: 'Radars handed over', dueDate: future(400), status: 'in_progress' },
        ],
      })
      .expect(201);
    const slug: string = created.body.slug;
    const detail = await request(server).get(`/v1/workstreams/${slug}`).expect(200);
    const [signing, handover] = detail.body.milestones as { id: string; version: number }[];
    expect(detail.body.health).toBe('on_track');

    // 1. Subscribe to the Philippines × maritime security intersection.
    await request(server)
      .post('/v1/subscriptions')
      .send({ email: 'Analyst@Example.org', intersections: [{ country: 'PH', sector: 'maritime-security' }], alerts: true, digest: false })
      .expect(202);

    // 2. The confirmation email, and its link.
    const [confirmation] = await sink.waitFor(1);
    expect((Array.isArray(confirmation.to) ? confirmation.to[0] : confirmation.to)?.text).toBe('analyst@example.org');
    const confirmLink = linkIn(confirmation.text ?? '', new RegExp(`${BASE}/v1/subscriptions/confirm\\?token=[^\\s]+`));
    await request(server).post(pathOf(confirmLink)).set('Accept', 'application/json').expect(200);
    const subscriber = await db.prisma.subscriber.findUniqueOrThrow({ where: { email: 'analyst@example.org' } });
    expect(subscriber.state).toBe('active');
    // Events of the set-up (created, milestones added) are for digests and feeds only.
    await settle();
    expect(sink.messages).toHaveLength(1);

    // 3. The editor marks the first milestone completed.
    await request(server)
      .patch(`/v1/admin/milestones/${signing.id}`)
      .set(bearer(editorKey))
      .set('If-Match', `"${signing.version}"`)
      .send({
        status: 'completed',
        completedOn: today(),
        note: 'Notes exchanged in Manila',
        evidenceUrl: 'https://www.mofa.go.jp/press/release/exchange-of-notes.html',
      })
      .expect(200);

    // 4. Exactly one alert.
    const [, alert] = await sink.waitFor(2);
    await settle(1_000);
    expect(sink.messages).toHaveLength(2);
    const delivery = await db.prisma.delivery.findFirstOrThrow({ where: { subscriberId: subscriber.id, kind: 'alert' } });
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });

    // It says what happened, on which day, with the editor's note and the evidence.
    const completed = `Milestone 'Exchange of notes signed' completed on ${humanDay(today())}`;
    expect(alert.subject).toBe(`[Philippines] Coastal radar for the Philippine Coast Guard: ${completed}`);
    expect(alert.messageId).toBe(`<${delivery.id}@pledgewatch.test>`);
    const text = alert.text ?? '';
    expect(text).toContain(`${completed}.`);
    expect(text).toContain("Editor's note: Notes exchanged in Manila");
    expect(text).toContain('Evidence: https://www.mofa.go.jp/press/release/exchange-of-notes.html');
    expect(text).toContain(`${BASE}/workstreams/${slug}`);
    expect(text).not.toContain('/v1/workstreams/');
    const manageLink = linkIn(text, new RegExp(`${BASE}/v1/subscriptions/manage\\?token=[^\\s]+`));
    const unsubscribeLink = linkIn(text, new RegExp(`${BASE}/v1/subscriptions/unsubscribe\\?token=[^\\s]+`));
    const html = String(alert.html);
    expect(html).toContain(`href="${BASE}/workstreams/${slug}"`);
    expect(html).toContain('Exchange of notes signed');

    // Every link a reader can click opens a page (the feed links, their feeds), in both parts of the email.
    const links = linksIn(text, html);
    const followed = await followAsBrowser(server, BASE, links);
    expect(followed.map((f) => new URL(f.link).pathname)).toEqual(
      expect.arrayContaining([`/workstreams/${slug}`, '/v1/subscriptions/manage', '/v1/subscriptions/unsubscribe', '/v1/feeds/events.atom', '/v1/feeds/milestones.ics']),
    );
    // Following them changed nothing: GET never unsubscribes.
    expect((await db.prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).state).toBe('active');

    // RFC 8058 headers, pointing at the same unsubscribe link as the body.
    expect(header(alert, 'List-Unsubscribe')).toBe(`<${unsubscribeLink}>`);
    expect(header(alert, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

    // The manage link opens the subscriber's preferences.
    const manage = await request(server).get(pathOf(manageLink)).set('Accept', 'application/json').expect(200);
    expect(JSON.stringify(manage.body)).toContain('analyst@example.org');

    // 5. One click, as a mail provider does it.
    await request(server)
      .post(pathOf(unsubscribeLink))
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect((res) => expect(res.status).toBeLessThan(300));
    expect((await db.prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).state).toBe('unsubscribed');

    // 6. The next change sends nothing.
    const current = await request(server).get(`/v1/workstreams/${slug}`).expect(200);
    const handoverNow = (current.body.milestones as { id: string; version: number }[]).find((m) => m.id === handover.id)!;
    const changedAt = new Date();
    await request(server)
      .patch(`/v1/admin/milestones/${handover.id}`)
      .set(bearer(editorKey))
      .set('If-Match', `"${handoverNow.version}"`)
      .send({ status: 'completed', completedOn: today() })
      .expect(200);
    // Wait for the fan-out job of each of the change's events (job id = event id) to finish, then look.
    const events = await eventually(async () => {
      const found = await db.prisma.event.findMany({ where: { occurredAt: { gte: changedAt } }, select: { id: true } });
      return found.length > 0 && found;
    }, 10_000, 'the events');
    const queue = worker.get(JobQueues).queue(QUEUES.events);
    for (const { id } of events) {
      const job = await eventually(async () => {
        const found = await queue.getJob(id);
        return found?.finishedOn ? found : null;
      }, 15_000, `the events.fanout job of ${id}`);
      expect(job.returnvalue).toMatchObject({ status: expect.stringMatching(/^(fanned_out|not_notified)$/) });
      if (job.returnvalue.status === 'fanned_out') expect(job.returnvalue.created).toBe(0);
    }
    expect(sink.attempts()).toBe(2);
    expect(await db.prisma.delivery.count({ where: { subscriberId: subscriber.id, kind: 'alert' } })).toBe(1);
  });
});

function future(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}
