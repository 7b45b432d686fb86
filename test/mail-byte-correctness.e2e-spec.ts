import type { INestApplicationContext } from '@nestjs/common';
import type { ParsedMail } from 'mailparser';
import { AlertFacts, alertTemplateData } from '@pledgewatch/alerts';
import { DigestComposer, DigestContentRepository } from '@pledgewatch/digest';
import { MailRenderer } from '@pledgewatch/mail';
import { JobQueues, JOBS } from '@pledgewatch/queue';
import { readLinkToken, verifyLinkToken } from '@pledgewatch/subscriber-links';
// eslint-disable-next-line no-restricted-imports -- the alerts' per-event cache, internal to the library, is what this test wires by hand
import { EventFactsCache } from '../libs/alerts/src/event-facts.cache';
import { bootWorker, dropQueueKeys, settle, testEnv, testQueuePrefix } from './support/alerts-harness';
import { createTestDatabase, TestDatabase } from './support/database';
import { addressOf, runDigestSlot } from './support/digest-harness';
import { factories } from './support/factories';
import { rawHeader, SmtpSink, startSmtpSink } from './support/smtp-sink';

const BASE = 'http://pledgewatch.test';
const SECRET = 'byte-correctness-link-secret-0123456789abcdef';
const SUBSCRIBERS = 240;
/** Monday 08:00 UTC = 17:00 in Tokyo: both halves of the subscribers are due in this slot. */
const SLOT = '2026-11-30T08:00:00Z';

const LINK = (page: 'manage' | 'unsubscribe') => new RegExp(`${BASE}/v1/subscriptions/${page}\\?token=([A-Za-z0-9_.%-]+)`, 'g');
/** The HTML part's hrefs, with the entities the template's escaping writes (`&#x3D;` for `=`, `&amp;`) decoded. */
const hrefs = (html: string) =>
  [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));

/**
 * Mail that is rendered and MIME-encoded once and sent to many (PreparedMail): a real fan-out and a
 * real digest slot through the worker to an SMTP server on loopback, every received message parsed
 * (mailparser) and checked against its own recipient — links signed for THAT subscriber, in the
 * text, the HTML and List-Unsubscribe; Message-ID of that subscriber's delivery; and the bodies
 * byte for byte equal to what the ordinary, per-recipient rendering gives.
 */
describe('mail prepared once per event / topic set: every recipient gets exactly their own message', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let worker: INestApplicationContext;
  let workstreamId: string;
  const queuePrefix = testQueuePrefix('mail-bytes');
  const subscriberIds = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDatabase('pw_mail_bytes');
    sink = await startSmtpSink();
    const f = factories(db.prisma);
    await f.country('MY', 'Malaysia');
    await f.sector('maritime-security', 'Maritime security');
    const ws = await f.workstream({ title: 'OSA surveillance equipment — “radars” & patrol boats', countries: ['MY'], sectors: ['maritime-security'] });
    workstreamId = ws.id;
    // The week's content of the digests; marked dispatched, so the outbox relay sends no alerts for it.
    for (const at of ['2026-11-25', '2026-11-27']) {
      const event = await f.event(ws.id, { type: 'workstream.health_changed', occurredAt: new Date(`${at}T12:00:00Z`), from: 'on_track', to: 'at_risk' });
      await db.prisma.event.update({ where: { id: event.id }, data: { dispatchedAt: new Date() } });
    }
    // Half in UTC, half in Tokyo; half follow the country, half the sector: four distinct digests.
    await db.prisma.$executeRaw`
      INSERT INTO "Subscriber" (id, email, state, alerts, digest, timezone, "digestDay", "digestHour", "confirmedAt", "createdAt", "updatedAt")
      SELECT gen_random_uuid(), 'reader' || i || '@bytes.example', 'active', true, true,
             CASE WHEN i % 2 = 0 THEN 'UTC' ELSE 'Asia/Tokyo' END, 'monday', CASE WHEN i % 2 = 0 THEN 8 ELSE 17 END,
             '2026-01-01', now(), now()
        FROM generate_series(1, ${SUBSCRIBERS}::int) AS i`;
    await db.prisma.$executeRaw`
      INSERT INTO "Subscription" (id, "subscriberId", "countryCode", "sectorSlug", "createdAt")
      SELECT gen_random_uuid(), s.id,
             CASE WHEN split_part(split_part(s.email, '@', 1), 'reader', 2)::int % 4 < 2 THEN 'MY' END,
             CASE WHEN split_part(split_part(s.email, '@', 1), 'reader', 2)::int % 4 >= 2 THEN 'maritime-security' END,
             now()
        FROM "Subscriber" s`;
    for (const s of await db.prisma.subscriber.findMany({ select: { id: true, email: true } })) subscriberIds.set(s.email, s.id);
    worker = await bootWorker(testEnv(db.url, queuePrefix, sink.url, { PUBLIC_BASE_URL: BASE, LINK_SECRET: SECRET }));
  });

  afterAll(async () => {
    await worker?.close();
    await sink?.close();
    await dropQueueKeys(queuePrefix);
    await db?.drop();
  });

  /** The recipient's links, in the text, the HTML and the header alike, signed for that subscriber. */
  function expectOwnLinks(mail: ParsedMail): { subscriberId: string; manageUrl: string; unsubscribeUrl: string } {
    const subscriberId = subscriberIds.get(addressOf(mail))!;
    expect(subscriberId).toBeDefined();
    const text = mail.text ?? '';
    const [manage] = [...text.matchAll(LINK('manage'))];
    const [unsubscribe] = [...text.matchAll(LINK('unsubscribe'))];
    expect(readLinkToken(decodeURIComponent(manage[1]))?.subscriberId).toBe(subscriberId);
    expect(verifyLinkToken(SECRET, 'manage', decodeURIComponent(manage[1]), 0)).toBe(true);
    expect(readLinkToken(decodeURIComponent(unsubscribe[1]))?.subscriberId).toBe(subscriberId);
    expect(verifyLinkToken(SECRET, 'unsubscribe', decodeURIComponent(unsubscribe[1]), 0)).toBe(true);
    const links = hrefs(String(mail.html));
    expect(links).toContain(manage[0]);
    expect(links).toContain(unsubscribe[0]);
    expect(links.filter((l) => l.includes('/v1/subscriptions/'))).toEqual([manage[0], unsubscribe[0]]);
    expect(rawHeader(mail, 'List-Unsubscribe')).toBe(`<${unsubscribe[0]}>`);
    expect(rawHeader(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    return { subscriberId, manageUrl: manage[0], unsubscribeUrl: unsubscribe[0] };
  }

  async function expectOwnMessageId(mail: ParsedMail, subscriberId: string, kind: 'alert' | 'digest') {
    const delivery = await db.prisma.delivery.findFirstOrThrow({ where: { subscriberId, kind } });
    expect(delivery.status).toBe('sent');
    expect(mail.messageId).toBe(`<${delivery.id}@pledgewatch.test>`);
    expect(delivery.messageId).toBe(mail.messageId);
  }

  it('alerts: one event fanned out, each message carries its own links, Message-ID and headers, and the rest is the event’s', async () => {
    const f = factories(db.prisma);
    const event = await f.event(workstreamId, { type: 'workstream.health_changed', occurredAt: new Date(), from: 'on_track', to: 'off_track', reason: 'Radar delivery overdue by 9 days = beyond the 7-day grace' });
    await db.prisma.event.update({ where: { id: event.id }, data: { dispatchedAt: new Date() } });
    await worker.get(JobQueues).add(JOBS.eventsFanout, { payload: { eventId: event.id }, jobId: event.id });
    const mails = await sink.waitFor(SUBSCRIBERS, 60_000);
    await settle();
    expect(mails).toHaveLength(SUBSCRIBERS);
    expect(new Set(mails.map(addressOf)).size).toBe(SUBSCRIBERS);

    const facts = (await worker.get(EventFactsCache).get(event.id)) as AlertFacts;
    const renderer = new MailRenderer();
    for (const mail of mails) {
      const own = expectOwnLinks(mail);
      await expectOwnMessageId(mail, own.subscriberId, 'alert');
      // What the ordinary, per-recipient path renders for this subscriber, byte for byte.
      const data = alertTemplateData(facts, { publicBaseUrl: BASE, manageUrl: own.manageUrl, unsubscribeUrl: own.unsubscribeUrl });
      const expected = renderer.render('alert', data);
      expect(mail.subject).toBe(
        '[Malaysia] OSA surveillance equipment — “radars” & patrol boats: Health changed from on track to off track: Radar delivery overdue by 9 days = beyond the 7-day grace',
      );
      expect(mail.subject).toBe(data.subject);
      expect(mail.text).toBe(expected.text);
      expect(mail.html).toBe(expected.html);
      expect(mail.from?.value[0]?.address).toBeTruthy();
    }
  });

  it('digests: one slot, each message carries its own links, Message-ID and headers, and the body of its topics and time zone', async () => {
    const before = sink.messages.length;
    expect(await runDigestSlot(worker, SLOT)).toMatchObject({ created: SUBSCRIBERS });
    const mails = (await sink.waitFor(before + SUBSCRIBERS, 60_000)).slice(before);
    await settle();
    expect(sink.messages.length - before).toBe(SUBSCRIBERS);

    const composer = worker.get(DigestComposer);
    const recipients = worker.get(DigestContentRepository);
    const bodies = new Set<string>();
    for (const mail of mails) {
      const own = expectOwnLinks(mail);
      await expectOwnMessageId(mail, own.subscriberId, 'digest');
      const recipient = (await recipients.findRecipient(own.subscriberId))!;
      // The ordinary path: this subscriber's digest rendered with their own links.
      const expected = await composer.render(recipient, new Date(SLOT));
      expect(mail.subject).toBe(expected.subject);
      expect(mail.text).toBe(expected.text);
      expect(mail.html).toBe(expected.html);
      expect(rawHeader(mail, 'List-Unsubscribe')).toBe(expected.headers['List-Unsubscribe']);
      bodies.add(String(mail.html).split(own.manageUrl.replace(/=/g, '&#x3D;'))[0]);
    }
    // Four (topic set, time zone) pairs, four different digests.
    expect(bodies.size).toBe(4);
  });
});
