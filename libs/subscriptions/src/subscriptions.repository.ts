import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, SubscriberState } from '@pledgewatch/database';
import type { FieldError } from '@pledgewatch/problems';
import { hashSingleUseToken, newSingleUseToken } from './link-tokens';
import type { Preferences, TopicRefs } from './subscription-input';
import type { SubscriberRecord, TopicRecord } from './subscription-view';

/** How long a spent or expired single-use token is kept after its expiry (30 days). */
export const TOKEN_KEPT_AFTER_EXPIRY_MS = 30 * 24 * 3600 * 1000;

/** One Subscription row to write: a country, a sector, both (the intersection), or a workstream. */
export interface TopicRow {
  countryCode: string | null;
  sectorSlug: string | null;
  workstreamId: string | null;
}

/** An active subscriber's requested change, kept until the emailed link is followed. */
export interface PendingChange {
  preferences: Preferences;
  topics: TopicRow[];
}

export type TokenPurpose = 'confirm' | 'apply_change';

/** What the templates of a confirmation delivery say (Delivery.payload). */
export type ConfirmationPayload = { template: 'confirmation' } | { template: 'apply-change'; change: PendingChange };

export type UnknownTopics = { code: 'unknown_country' | 'unknown_sector' | 'unknown_workstream'; errors: FieldError[] };

export type Redemption =
  | { outcome: 'invalid' | 'used' | 'expired' }
  | { outcome: 'confirmed' | 'changed' | 'already_active'; subscriberId: string };

export interface ConfirmationDelivery {
  id: string;
  status: string;
  payload: ConfirmationPayload;
  subscriber: SubscriberRecord;
}

const TOPIC_SELECT = {
  countryCode: true,
  sectorSlug: true,
  workstreamId: true,
  country: { select: { name: true } },
  sector: { select: { name: true } },
  workstream: { select: { slug: true, title: true } },
} satisfies Prisma.SubscriptionSelect;

const SUBSCRIBER_SELECT = {
  id: true,
  email: true,
  state: true,
  confirmedAt: true,
  alerts: true,
  digest: true,
  skipEmptyDigest: true,
  timezone: true,
  digestDay: true,
  digestHour: true,
  subscriptions: { select: TOPIC_SELECT },
} satisfies Prisma.SubscriberSelect;

type SubscriberRow = Prisma.SubscriberGetPayload<{ select: typeof SUBSCRIBER_SELECT }>;
type TopicSelected = Prisma.SubscriptionGetPayload<{ select: typeof TOPIC_SELECT }>;

const toTopicRecord = (t: TopicSelected): TopicRecord => ({
  countryCode: t.countryCode,
  countryName: t.country?.name ?? null,
  sectorSlug: t.sectorSlug,
  sectorName: t.sector?.name ?? null,
  workstreamId: t.workstreamId,
  workstreamSlug: t.workstream?.slug ?? null,
  workstreamTitle: t.workstream?.title ?? null,
});

function toRecord({ subscriptions, ...subscriber }: SubscriberRow): SubscriberRecord {
  return { ...subscriber, topics: subscriptions.map(toTopicRecord) };
}

const preferenceData = (p: Partial<Preferences>) => ({
  alerts: p.alerts,
  digest: p.digest,
  skipEmptyDigest: p.skipEmptyDigest,
  timezone: p.timezone,
  digestDay: p.digestDay,
  digestHour: p.digestHour,
});

/** Subscribers, their topics and single-use tokens, and the confirmation deliveries: all Postgres I/O of the feature. */
@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Topic names → rows, or which of them do not exist (archived workstreams count as unknown). */
  async resolveTopics(topics: TopicRefs): Promise<TopicRow[] | UnknownTopics> {
    const codes = [...new Set([...topics.countries, ...topics.intersections.map((i) => i.country)])];
    const slugs = [...new Set([...topics.sectors, ...topics.intersections.map((i) => i.sector)])];
    const [countries, sectors, workstreams] = await Promise.all([
      this.prisma.country.findMany({ where: { code: { in: codes } }, select: { code: true } }),
      this.prisma.sector.findMany({ where: { slug: { in: slugs } }, select: { slug: true } }),
      this.prisma.workstream.findMany({ where: { slug: { in: topics.workstreams }, archivedAt: null }, select: { id: true, slug: true } }),
    ]);
    const knownCountry = new Set(countries.map((c) => c.code));
    const knownSector = new Set(sectors.map((s) => s.slug));
    const workstreamId = new Map(workstreams.map((w) => [w.slug, w.id]));

    const unknown: Record<UnknownTopics['code'], FieldError[]> = { unknown_country: [], unknown_sector: [], unknown_workstream: [] };
    topics.countries.forEach((code, i) => {
      if (!knownCountry.has(code)) unknown.unknown_country.push({ field: `countries.${i}`, code: 'unknown_country', message: `No country "${code}".` });
    });
    topics.sectors.forEach((slug, i) => {
      if (!knownSector.has(slug)) unknown.unknown_sector.push({ field: `sectors.${i}`, code: 'unknown_sector', message: `No sector "${slug}".` });
    });
    topics.intersections.forEach(({ country, sector }, i) => {
      if (!knownCountry.has(country)) unknown.unknown_country.push({ field: `intersections.${i}.country`, code: 'unknown_country', message: `No country "${country}".` });
      if (!knownSector.has(sector)) unknown.unknown_sector.push({ field: `intersections.${i}.sector`, code: 'unknown_sector', message: `No sector "${sector}".` });
    });
    topics.workstreams.forEach((slug, i) => {
      if (!workstreamId.has(slug)) unknown.unknown_workstream.push({ field: `workstreams.${i}`, code: 'unknown_workstream', message: `No workstream "${slug}".` });
    });
    const errors = Object.values(unknown).flat();
    if (errors.length) return { code: errors[0].code as UnknownTopics['code'], errors };

    return [
      ...topics.countries.map((countryCode) => ({ countryCode, sectorSlug: null, workstreamId: null })),
      ...topics.sectors.map((sectorSlug) => ({ countryCode: null, sectorSlug, workstreamId: null })),
      ...topics.intersections.map(({ country, sector }) => ({ countryCode: country, sectorSlug: sector, workstreamId: null })),
      ...topics.workstreams.map((slug) => ({ countryCode: null, sectorSlug: null, workstreamId: workstreamId.get(slug)! })),
    ];
  }

  /**
   * One transaction, serialised per address by a row lock. A new, pending or unsubscribed address
   * becomes pending with exactly the requested topics; an active one changes nothing yet, its
   * request waits in the delivery's payload. Either way one `confirmation` delivery is queued.
   */
  async recordSubscribeRequest(email: string, topics: TopicRow[], preferences: Preferences): Promise<{ deliveryId: string }> {
    return this.prisma.$transaction(async (tx) => {
      await tx.subscriber.createMany({ data: [{ email }], skipDuplicates: true });
      const [subscriber] = await tx.$queryRaw<{ id: string; state: SubscriberState }[]>`
        SELECT id::text AS id, state::text AS state FROM "Subscriber" WHERE email = ${email} FOR UPDATE`;

      let payload: ConfirmationPayload;
      if (subscriber.state === 'active') {
        payload = { template: 'apply-change', change: { preferences, topics } };
      } else {
        await tx.subscriber.update({
          where: { id: subscriber.id },
          data: { ...preferenceData(preferences), state: 'pending', confirmedAt: null, unsubscribedAt: null },
        });
        await this.replaceTopics(tx, subscriber.id, topics);
        payload = { template: 'confirmation' };
      }
      const delivery = await tx.delivery.create({
        data: { kind: 'confirmation', subscriberId: subscriber.id, status: 'queued', payload: payload as unknown as Prisma.InputJsonValue },
        select: { id: true },
      });
      return { deliveryId: delivery.id };
    });
  }

  async findSubscriber(id: string): Promise<SubscriberRecord | null> {
    const row = await this.prisma.subscriber.findUnique({ where: { id }, select: SUBSCRIBER_SELECT });
    return row && toRecord(row);
  }

  /** Names for topic rows that are not stored yet (a pending change). */
  async describeRows(rows: TopicRow[]): Promise<TopicRecord[]> {
    const codes = rows.flatMap((r) => (r.countryCode ? [r.countryCode] : []));
    const slugs = rows.flatMap((r) => (r.sectorSlug ? [r.sectorSlug] : []));
    const ids = rows.flatMap((r) => (r.workstreamId ? [r.workstreamId] : []));
    const [countries, sectors, workstreams] = await Promise.all([
      this.prisma.country.findMany({ where: { code: { in: codes } }, select: { code: true, name: true } }),
      this.prisma.sector.findMany({ where: { slug: { in: slugs } }, select: { slug: true, name: true } }),
      this.prisma.workstream.findMany({ where: { id: { in: ids } }, select: { id: true, slug: true, title: true } }),
    ]);
    const country = new Map(countries.map((c) => [c.code, c.name]));
    const sector = new Map(sectors.map((s) => [s.slug, s.name]));
    const workstream = new Map(workstreams.map((w) => [w.id, w]));
    return rows.map((r) => ({
      countryCode: r.countryCode,
      countryName: r.countryCode ? (country.get(r.countryCode) ?? null) : null,
      sectorSlug: r.sectorSlug,
      sectorName: r.sectorSlug ? (sector.get(r.sectorSlug) ?? null) : null,
      workstreamId: r.workstreamId,
      workstreamSlug: r.workstreamId ? (workstream.get(r.workstreamId)?.slug ?? null) : null,
      workstreamTitle: r.workstreamId ? (workstream.get(r.workstreamId)?.title ?? null) : null,
    }));
  }

  /** Everything the manage page offers. */
  async catalog() {
    const [countries, sectors, workstreams] = await Promise.all([
      this.prisma.country.findMany({ select: { code: true, name: true }, orderBy: { name: 'asc' } }),
      this.prisma.sector.findMany({ select: { slug: true, name: true }, orderBy: { name: 'asc' } }),
      this.prisma.workstream.findMany({ where: { archivedAt: null }, select: { slug: true, title: true }, orderBy: { title: 'asc' } }),
    ]);
    return { countries, sectors, workstreams };
  }

  /**
   * A new single-use token; earlier unused ones of the same purpose stop working, so only the
   * latest email's link does what that email says. The subscriber's tokens that expired more than
   * TOKEN_KEPT_AFTER_EXPIRY_MS ago go too: until then a used link still answers "already used"
   * rather than "invalid", and a subscriber never holds more than the tokens of the last few weeks.
   */
  async issueToken(subscriberId: string, purpose: TokenPurpose, payload: PendingChange | null, ttlMs: number) {
    const now = Date.now();
    const { token, hash } = newSingleUseToken();
    const expiresAt = new Date(now + ttlMs);
    const forgottenBefore = new Date(now - TOKEN_KEPT_AFTER_EXPIRY_MS);
    await this.prisma.$transaction([
      this.prisma.subscriberToken.deleteMany({
        where: { subscriberId, OR: [{ purpose, usedAt: null }, { expiresAt: { lt: forgottenBefore } }] },
      }),
      this.prisma.subscriberToken.create({
        data: { subscriberId, purpose, tokenHash: hash, expiresAt, payload: (payload ?? undefined) as unknown as Prisma.InputJsonValue },
      }),
    ]);
    return { token, expiresAt };
  }

  /** Uses a single-use token once, atomically with what it does. */
  async redeemToken(token: string, now = new Date()): Promise<Redemption> {
    const hash = hashSingleUseToken(token);
    return this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ id: string; subscriberId: string; purpose: TokenPurpose; payload: PendingChange | null; expiresAt: Date; usedAt: Date | null }[]>`
        SELECT id::text AS id, "subscriberId"::text AS "subscriberId", purpose, payload, "expiresAt", "usedAt"
          FROM "SubscriberToken" WHERE "tokenHash" = ${hash} FOR UPDATE`;
      if (!row) return { outcome: 'invalid' };
      if (row.usedAt) return { outcome: 'used' };
      if (row.expiresAt <= now) return { outcome: 'expired' };

      const subscriber = await tx.subscriber.findUnique({ where: { id: row.subscriberId }, select: { state: true } });
      if (!subscriber) return { outcome: 'invalid' };
      let outcome: 'confirmed' | 'changed' | 'already_active';
      if (row.purpose === 'confirm') {
        outcome = subscriber.state === 'active' ? 'already_active' : 'confirmed';
        if (outcome === 'confirmed') {
          await tx.subscriber.update({ where: { id: row.subscriberId }, data: { state: 'active', confirmedAt: now, unsubscribedAt: null } });
        }
      } else {
        // An unsubscribe deletes pending change tokens, so the subscriber is active here.
        if (subscriber.state !== 'active' || !row.payload) return { outcome: 'invalid' };
        await tx.subscriber.update({ where: { id: row.subscriberId }, data: preferenceData(row.payload.preferences) });
        await this.replaceTopics(tx, row.subscriberId, await this.stillExisting(tx, row.payload.topics));
        outcome = 'changed';
      }
      await tx.subscriberToken.update({ where: { id: row.id }, data: { usedAt: now } });
      return { outcome, subscriberId: row.subscriberId };
    });
  }

  /** Unsubscribes (idempotent: the first time is the one recorded); pending links stop working. */
  async unsubscribe(id: string, now = new Date()): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const updated = await tx.subscriber.updateMany({ where: { id, state: { not: 'unsubscribed' } }, data: { state: 'unsubscribed', unsubscribedAt: now } });
      await tx.subscriberToken.deleteMany({ where: { subscriberId: id, usedAt: null } });
      return updated.count > 0;
    });
  }

  /** Saves preferences and, when given, the full new set of topics; `state` re-subscribes from the manage page. */
  async updatePreferences(id: string, preferences: Partial<Preferences>, topics: TopicRow[] | null, state?: SubscriberState): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.subscriber.update({
        where: { id },
        data: { ...preferenceData(preferences), ...(state ? { state, unsubscribedAt: state === 'active' ? null : undefined } : {}) },
      });
      if (topics) await this.replaceTopics(tx, id, topics);
    });
  }

  async findConfirmationDelivery(id: string): Promise<ConfirmationDelivery | null> {
    const row = await this.prisma.delivery.findUnique({
      where: { id },
      select: { id: true, kind: true, status: true, payload: true, subscriber: { select: SUBSCRIBER_SELECT } },
    });
    if (!row || row.kind !== 'confirmation') return null;
    return { id: row.id, status: row.status, payload: row.payload as unknown as ConfirmationPayload, subscriber: toRecord(row.subscriber) };
  }

  async markDeliverySent(id: string, messageId: string): Promise<void> {
    await this.prisma.delivery.updateMany({
      where: { id, status: { not: 'sent' } },
      data: { status: 'sent', messageId, sentAt: new Date(), lastError: null, attempts: { increment: 1 } },
    });
  }

  /** A failed attempt; `final` marks it failed, else it stays queued for a later attempt. */
  async recordDeliveryFailure(id: string, error: string, final: boolean, messageId: string): Promise<void> {
    await this.prisma.delivery.updateMany({
      where: { id, status: { not: 'sent' } },
      data: { status: final ? 'failed' : 'queued', lastError: error.slice(0, 1000), messageId, attempts: { increment: 1 } },
    });
  }

  async markDeliverySuppressed(id: string, reason: string): Promise<void> {
    await this.prisma.delivery.updateMany({ where: { id, status: { not: 'sent' } }, data: { status: 'suppressed', lastError: reason } });
  }

  private async replaceTopics(tx: Prisma.TransactionClient, subscriberId: string, topics: TopicRow[]): Promise<void> {
    await tx.subscription.deleteMany({ where: { subscriberId } });
    if (topics.length) await tx.subscription.createMany({ data: topics.map((topic) => ({ ...topic, subscriberId })) });
  }

  /** A change waits up to the token's lifetime; drop topics deleted or archived meanwhile. */
  private async stillExisting(tx: Prisma.TransactionClient, rows: TopicRow[]): Promise<TopicRow[]> {
    const codes = rows.flatMap((r) => (r.countryCode ? [r.countryCode] : []));
    const slugs = rows.flatMap((r) => (r.sectorSlug ? [r.sectorSlug] : []));
    const ids = rows.flatMap((r) => (r.workstreamId ? [r.workstreamId] : []));
    // One after the other: a transaction is one connection, and pg refuses (pg 9) or warns about
    // (pg 8: "client is already executing a query") queries issued on it concurrently.
    const countries = await tx.country.findMany({ where: { code: { in: codes } }, select: { code: true } });
    const sectors = await tx.sector.findMany({ where: { slug: { in: slugs } }, select: { slug: true } });
    const workstreams = await tx.workstream.findMany({ where: { id: { in: ids }, archivedAt: null }, select: { id: true } });
    const c = new Set(countries.map((x) => x.code));
    const s = new Set(sectors.map((x) => x.slug));
    const w = new Set(workstreams.map((x) => x.id));
    return rows.filter((r) => (!r.countryCode || c.has(r.countryCode)) && (!r.sectorSlug || s.has(r.sectorSlug)) && (!r.workstreamId || w.has(r.workstreamId)));
  }
}
