import type { INestApplicationContext } from '@nestjs/common';
import type { ParsedMail } from 'mailparser';
import type { Health, MilestoneStatus, Workstream } from '@pledgewatch/database';
import { bootWorker, dropQueueKeys, settle, testEnv, testQueuePrefix } from './support/alerts-harness';
import { createTestDatabase, TestDatabase } from './support/database';
import { digestSubscriber, mailsTo, runDigestSlot } from './support/digest-harness';
import { factories, Factories } from './support/factories';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

/** Monday 30 November 2026, 08:00 UTC: the slot every subscriber here is due in. */
const SLOT = '2026-11-30T08:00:00Z';
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const BASE = 'http://pledgewatch.test';

/**
 * What a weekly digest says, checked in the email that arrives: last week's changes in the
 * subscriber's topics and none outside them, the 30-day look-ahead, the off-track/at-risk list and
 * the per-country scorecard, against the data the test wrote.
 */
describe('weekly digest: what it says', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let worker: INestApplicationContext;
  let f: Factories;
  const queuePrefix = testQueuePrefix('digest-content');
  let mail: ParsedMail;
  let quietMail: ParsedMail;
  const slugs = new Map<string, string>();

  async function milestone(ws: Workstream, position: number, title: string, dueDate: string, status: MilestoneStatus = 'not_started', completedOn?: string, evidenceUrl?: string) {
    return db.prisma.milestone.create({
      data: { workstreamId: ws.id, position, title, dueDate: day(dueDate), status, completedOn: completedOn ? day(completedOn) : null, evidenceUrl: evidenceUrl ?? null },
    });
  }

  async function health(ws: Workstream, value: Health, since: string, reason: string) {
    await db.prisma.workstream.update({ where: { id: ws.id }, data: { health: value, healthSince: new Date(since), healthReason: reason } });
  }

  beforeAll(async () => {
    db = await createTestDatabase('pw_digest_content');
    sink = await startSmtpSink();
    f = factories(db.prisma);
    await f.country('PH', 'Philippines');
    await f.country('MY', 'Malaysia');
    await f.country('VN', 'Viet Nam');
    await f.sector('maritime-security', 'Maritime security');
    await f.sector('trade-investment', 'Trade and investment');

    // Followed through the Philippines × maritime security intersection. The title carries markup.
    const phMaritime = await f.workstream({ title: 'Coast guard <b>vessels</b> & radars', countries: ['PH'], sectors: ['maritime-security'] });
    await health(phMaritime, 'at_risk', '2026-11-20T00:00:00Z', 'Patrol ships due in 12 days and not started.');
    await db.prisma.workstream.update({ where: { id: phMaritime.id }, data: { lastReviewedAt: day('2026-11-01') } });
    const ships = await milestone(phMaritime, 1, 'Patrol ships delivered', '2026-12-12', 'not_started', undefined, 'https://example.org/ships');
    await milestone(phMaritime, 2, 'Radar handover', '2027-01-20');
    await milestone(phMaritime, 3, 'Loan signed', '2024-06-30', 'completed', '2024-06-11');
    await milestone(phMaritime, 4, 'Notes exchanged', '2024-03-31', 'completed', '2024-05-17');
    await milestone(phMaritime, 5, 'Crew training', '2026-11-01', 'overdue');
    await milestone(phMaritime, 6, 'Dropped idea', '2025-01-01', 'cancelled');
    await f.event(phMaritime.id, { type: 'milestone.rescheduled', milestoneId: ships.id, occurredAt: new Date('2026-11-25T09:00:00Z'), from: '2026-11-15', to: '2026-12-12', reason: 'Shipyard delay reported' });
    await f.event(phMaritime.id, { type: 'workstream.health_changed', occurredAt: new Date('2026-11-28T07:00:00Z'), from: 'on_track', to: 'at_risk', reason: 'Ships due soon, not started' });
    await f.event(phMaritime.id, { type: 'workstream.health_changed', occurredAt: new Date('2026-11-20T07:00:00Z'), from: 'stalled', to: 'on_track', reason: 'Ten days ago: outside the week' });
    await f.event(phMaritime.id, { type: 'milestone.added', occurredAt: new Date('2026-11-27T07:00:00Z'), reason: 'Quiet correction', notify: false });

    // The Philippines, but trade: outside the intersection. Its milestones still count in the country's scorecard.
    const phTrade = await f.workstream({ title: 'Trade talks', countries: ['PH'], sectors: ['trade-investment'] });
    await milestone(phTrade, 1, 'Round one', '2025-05-01', 'completed', '2025-04-01');
    await milestone(phTrade, 2, 'Round two', '2026-12-05');
    await f.event(phTrade.id, { type: 'milestone.added', occurredAt: new Date('2026-11-26T10:00:00Z'), reason: 'Trade talks round two planned' });

    // Followed through the Malaysia country topic.
    const myMaritime = await f.workstream({ title: 'Surveillance equipment', countries: ['MY'], sectors: ['maritime-security'] });
    await health(myMaritime, 'off_track', '2026-10-31T00:00:00Z', 'Equipment handover 20 days overdue.');
    await milestone(myMaritime, 1, 'Equipment handover', '2026-11-10', 'overdue');
    await milestone(myMaritime, 2, 'Training done', '2025-09-30', 'completed', '2025-09-22');
    await milestone(myMaritime, 3, 'Postponed review', '2026-01-01', 'deferred');
    // Completions the scorecard cannot call on time or late: known only to the month, and a sourced
    // due date that is just the recorded completion.
    const monthly = await milestone(myMaritime, 4, 'Budget enacted', '2026-04-30', 'completed', '2026-04-30');
    await db.prisma.milestone.update({ where: { id: monthly.id }, data: { datePrecision: 'month', completedOnPrecision: 'month' } });
    const recorded = await milestone(myMaritime, 5, 'Exchange of notes', '2025-06-20', 'completed', '2025-06-20');
    await db.prisma.milestone.update({ where: { id: recorded.id }, data: { dateBasis: 'sourced' } });
    await f.event(myMaritime.id, { type: 'milestone.overdue', occurredAt: new Date('2026-11-29T06:00:00Z'), from: 'in_progress', to: 'overdue', reason: 'Handover date passed' });

    // Viet Nam: nothing happened this week.
    const vn = await f.workstream({ title: 'OSA for Viet Nam', countries: ['VN'], sectors: ['trade-investment'] });
    await health(vn, 'off_track', '2026-09-01T00:00:00Z', 'No agreement found.');
    await milestone(vn, 1, 'OSA agreement signed', '2026-12-20');
    await f.event(vn.id, { type: 'workstream.created', occurredAt: new Date('2026-11-01T00:00:00Z'), reason: 'Tracked' });

    // Archived: nothing of it appears anywhere.
    const archived = await f.workstream({ title: 'Archived thing', countries: ['PH', 'MY'], sectors: ['maritime-security'], archivedAt: new Date('2026-06-01T00:00:00Z') });
    await health(archived, 'off_track', '2026-05-01T00:00:00Z', 'Archived');
    await milestone(archived, 1, 'Archived milestone due soon', '2026-12-01');
    await milestone(archived, 2, 'Archived milestone done', '2025-01-01', 'completed', '2025-01-01');
    await f.event(archived.id, { type: 'milestone.added', occurredAt: new Date('2026-11-28T00:00:00Z'), reason: 'Archived event' });

    for (const ws of [phMaritime, myMaritime]) slugs.set(ws.title, ws.slug);
    await digestSubscriber(db.prisma, { email: 'analyst@example.org', topics: [{ countryCode: 'PH', sectorSlug: 'maritime-security' }, { countryCode: 'MY' }] });
    await digestSubscriber(db.prisma, { email: 'quiet@example.org', topics: [{ countryCode: 'VN' }] });
    await digestSubscriber(db.prisma, { email: 'skipper@example.org', topics: [{ countryCode: 'VN' }], skipEmptyDigest: true });

    worker = await bootWorker(testEnv(db.url, queuePrefix, sink.url));
    const result = await runDigestSlot(worker, SLOT);
    expect(result).toMatchObject({ created: 2, suppressed: 1 });
    [mail] = await mailsTo(sink, 'analyst@example.org', 1);
    [quietMail] = await mailsTo(sink, 'quiet@example.org', 1);
  });

  afterAll(async () => {
    await worker?.close();
    await sink?.close();
    await dropQueueKeys(queuePrefix);
    await db?.drop();
  });

  it('last week’s changes in the subscriber’s topics, grouped by country and sector, and none outside them', () => {
    expect(mail.subject).toBe('Pledgewatch weekly, 30 November 2026: 3 changes, 1 milestone due in 30 days, 2 off track or at risk');
    const text = mail.text ?? '';
    // Each change says what happened; a milestone gone from the record is told by its event's reason.
    expect(text).toContain('== Malaysia · Maritime security ==\n* Milestone overdue: Surveillance equipment (29 November 2026)\n  Handover date passed.\n');
    expect(text).toContain('== Philippines · Maritime security ==');
    expect(text).toContain('* Health: Coast guard <b>vessels</b> & radars (28 November 2026)\n  Health changed from on track to at risk: Ships due soon, not started.\n');
    expect(text).toContain(
      "* Milestone rescheduled: Coast guard <b>vessels</b> & radars (25 November 2026)\n  Milestone 'Patrol ships delivered' rescheduled from 15 November 2026 to 12 December 2026.\n  Evidence: https://example.org/ships",
    );
    expect(text).not.toContain('/v1/workstreams/');
    for (const outside of ['Trade talks round two planned', 'Ten days ago', 'Quiet correction', 'Archived', 'Tracked']) {
      expect(text).not.toContain(outside);
      expect(mail.html).not.toContain(outside);
    }
    // The HTML escapes what editors typed.
    expect(mail.html).toContain('Coast guard &lt;b&gt;vessels&lt;/b&gt; &amp; radars');
    expect(mail.html).not.toContain('<b>vessels</b>');
    expect(mail.html).toContain('<a href="https://example.org/ships"');
  });

  it('the look-ahead: open milestones in the topics due in the next 30 days', () => {
    const text = mail.text ?? '';
    const lookahead = text.slice(text.indexOf('DUE IN THE NEXT 30 DAYS'), text.indexOf('OFF TRACK OR AT RISK'));
    expect(lookahead).toBe('DUE IN THE NEXT 30 DAYS\n* 12 December 2026 (in 12 days): Patrol ships delivered\n  Coast guard <b>vessels</b> & radars · not started\n\n');
  });

  it('the off-track / at-risk list, since when (a date, never a count of days) and the last review', () => {
    const text = mail.text ?? '';
    const attention = text.slice(text.indexOf('OFF TRACK OR AT RISK'), text.indexOf('SCORECARD'));
    const page = (title: string) => `${BASE}/workstreams/${slugs.get(title)}`;
    expect(attention).toBe(
      'OFF TRACK OR AT RISK\n' +
        `* Surveillance equipment: off track since 31 October 2026\n  Equipment handover 20 days overdue.\n  Never reviewed - REVIEW DUE\n  ${page('Surveillance equipment')}\n` +
        `* Coast guard <b>vessels</b> & radars: at risk since 20 November 2026\n  Patrol ships due in 12 days and not started.\n  Last reviewed 1 November 2026\n  ${page('Coast guard <b>vessels</b> & radars')}\n\n`,
    );
  });

  it('the scorecard per followed country matches the milestones in the database', async () => {
    // Recount from the rows, independently of the digest's SQL: on time = completedOn ≤ dueDate, both
    // known to the day, and not a sourced due date equal to the completion (a record, not a deadline).
    const asOf = day('2026-11-30');
    const expected: Record<string, { onTime: number; late: number; overdue: number; notJudged: number }> = {};
    for (const code of ['MY', 'PH']) {
      const rows = await db.prisma.milestone.findMany({
        where: { workstream: { archivedAt: null, countries: { some: { countryCode: code } } } },
      });
      const completed = rows.filter((m) => m.status === 'completed' && m.completedOn);
      const judged = completed.filter(
        (m) => m.datePrecision === 'day' && m.completedOnPrecision === 'day' && !(m.dateBasis === 'sourced' && m.completedOn!.getTime() === m.dueDate.getTime()),
      );
      expected[code] = {
        onTime: judged.filter((m) => m.completedOn! <= m.dueDate).length,
        late: judged.filter((m) => m.completedOn! > m.dueDate).length,
        overdue: rows.filter((m) => !['completed', 'cancelled', 'deferred'].includes(m.status) && m.dueDate < asOf).length,
        notJudged: completed.length - judged.length,
      };
    }
    expect(expected).toEqual({ MY: { onTime: 1, late: 0, overdue: 1, notJudged: 2 }, PH: { onTime: 2, late: 1, overdue: 1, notJudged: 0 } });

    const text = mail.text ?? '';
    expect(text).toContain(
      'Malaysia: [##########!!!!!!!!!!] 1 on time, 0 late, 1 overdue; 2 not judged: dates known only to the month or recorded after the fact',
    );
    expect(text).toContain('Philippines: [##########+++++!!!!!] 2 on time, 1 late, 1 overdue');
    // The bar: table cells sized in percent, no images, no scripts.
    const html = mail.html || '';
    expect(html).toContain('title="2 on time" style="width:50%;');
    expect(html).toContain('title="1 late" style="width:25%;');
    expect(html).toContain('title="1 overdue" style="width:25%;');
    expect(html).not.toMatch(/<script|<img|url\(/i);
  });

  it('a quiet week: a look-ahead-only digest, or nothing for a subscriber who skips empty ones', async () => {
    expect(quietMail.subject).toBe('Pledgewatch weekly, 30 November 2026: a quiet week, 1 milestone due in 30 days, 1 off track or at risk');
    expect(quietMail.text).toContain('Nothing changed in your topics in the last 7 days.');
    expect(quietMail.text).toContain('* 20 December 2026 (in 20 days): OSA agreement signed');

    const skipped = await db.prisma.delivery.findMany({ where: { subscriber: { email: 'skipper@example.org' } } });
    expect(skipped).toEqual([expect.objectContaining({ kind: 'digest', status: 'suppressed', lastError: expect.stringMatching(/^quiet week/) })]);
    await settle();
    expect(sink.messages.filter((m) => m.text?.includes('skipper'))).toEqual([]);
    expect(await mailsTo(sink, 'skipper@example.org', 0)).toEqual([]);
  });
});
