import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, SubscriberState } from '@pledgewatch/database';
import { CursorCodec, Page, toPage } from '@pledgewatch/pagination';
import { hashSingleUseToken, newSingleUseToken } from '@pledgewatch/subscriber-links';
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

/**
 * A confirmation delivery's payload. The subscribe request stores `request` whatever the address's
 * state (so the request costs the same for every address); the worker decides, before the first
 * send, which email it becomes — `confirmation` (the address is now pending with the requested
 * topics) or `apply-change` (it is active: the change waits for the emailed link) — and stores that.
 */
export type ConfirmationPayload =
  | { template: 'request'; request: PendingChange }
  | { template: 'confirmation' }
  | { template: 'apply-change'; change: PendingChange };

/** Which of the named topics exist (archived workstreams do not). */
export interface KnownTopics {
  countries: Set<string>;
  sectors: Set<string>;
  /** Workstream slug → id. */
  workstreams: Map<string, string>;
}

const SUBSCRIBER_CURSOR = new CursorCodec('admin-subscribers');

export interface SubscriberFilter {
  state?: SubscriberState[];
  /** Part of an address, any case: `example.org` finds everyone there. */
  email?: string;
  limit: number;
  cursor?: string;
}

const ADMIN_SUBSCRIBER_INCLUDE = {
  subscriptions: {
    select: { countryCode: true, sectorSlug: true, workstream: { select: { slug: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  },
} satisfies Prisma.SubscriberInclude;
export type AdminSubscriberRow = Prisma.SubscriberGetPayload<{ include: typeof ADMIN_SUBSCRIBER_INCLUDE }>;

export type Redemption =
  | { outcome: 'invalid' | 'used' | 'expired' }
  | { outcome: 'confirmed' | 'changed' | 'already_active'; subscriberId: string };

export type Peek = { outcome: 'invalid' | 'used' | 'expired' } | { outcome: 'valid'; purpose: TokenPurpose; subscriberId: string; change: PendingChange | null };

export interface ConfirmationDelivery {
  id: string;
  payload: Exclude<ConfirmationPayload, { template: 'request' }>;
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
  linkEpoch: true,
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

/** Subscribers, their topics and single-use tokens, and the creation of confirmation deliveries: all Postgres I/O of the feature. */
@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Which of the named topics exist: three indexed lookups, whatever the names. */
  async knownTopics(topics: TopicRefs): Promise<KnownTopics> {
    const codes = [...new Set([...topics.countries, ...topics.intersections.map((i) => i.country)])];
    const slugs = [...new Set([...topics.sectors, ...topics.intersections.map((i) => i.sector)])];
    const [countries, sectors, workstreams] = await Promise.all([
      this.prisma.country.findMany({ where: { code: { in: codes } }, select: { code: true } }),
      this.prisma.sector.findMany({ where: { slug: { in: slugs } }, select: { slug: true } }),
      this.prisma.workstream.findMany({ where: { slug: { in: topics.workstreams }, archivedAt: null }, select: { id: true, slug: true } }),
    ]);
    return {
      countries: new Set(countries.map((c) => c.code)),
      sectors: new Set(sectors.map((c) => c.slug)),
      workstreams: new Map(workstreams.map((w) => [w.slug, w.id])),
    };
  }

  /**
   * Records a subscribe request in one statement that does the same work whatever the address's
   * state (so its timing does not tell who subscribes): the subscriber row is inserted, or touched when it
   * exists (ON CONFLICT … DO UPDATE, so both paths write one row version and lock it), and one
   * `queued` confirmation delivery carries the request. Nothing about the subscriber changes here;
   * the worker decides what the request means (decideConfirmation) before sending.
   */
  async recordSubscribeRequest(email: string, request: PendingChange): Promise<{ deliveryId: string }> {
    const payload: ConfirmationPayload = { template: 'request', request };
    const [row] = await this.prisma.$queryRaw<{ id: string }[]>`
      WITH subscriber AS (
        INSERT INTO "Subscriber" (id, email, "createdAt", "updatedAt")
        VALUES (gen_random_uuid(), ${email}, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC'))
        ON CONFLICT (email) DO UPDATE SET "updatedAt" = "Subscriber"."updatedAt"
        RETURNING id
      )
      INSERT INTO "Delivery" (id, kind, "subscriberId", status, attempts, payload, "createdAt", "updatedAt")
      SELECT gen_random_uuid(), 'confirmation'::"DeliveryKind", subscriber.id, 'queued'::"DeliveryStatus", 0,
             ${JSON.stringify(payload)}::jsonb, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
        FROM subscriber
      RETURNING id::text AS id`;
    return { deliveryId: row.id };
  }

  /**
   * The worker's half of a subscribe request, once per delivery, serialised per address by a row
   * lock: a new, pending or unsubscribed address becomes pending with exactly the requested topics
   * (those still existing) and gets a `confirmation`; an active one changes nothing yet and gets an
   * `apply-change` carrying the request. The decision is stored on the delivery, so a retry sends
   * the same kind of email. Null when there is no queued confirmation delivery of that id.
   */
  async decideConfirmation(deliveryId: string): Promise<ConfirmationDelivery | null> {
    const decided = await this.prisma.$transaction(async (tx) => {
      const delivery = await tx.delivery.findUnique({ where: { id: deliveryId }, select: { kind: true, status: true, payload: true, subscriberId: true } });
      if (!delivery || delivery.kind !== 'confirmation' || delivery.status !== 'queued' || !delivery.subscriberId) return null;
      let payload = delivery.payload as unknown as ConfirmationPayload;
      if (payload.template === 'request') {
        const [subscriber] = await tx.$queryRaw<{ state: SubscriberState }[]>`
          SELECT state::text AS state FROM "Subscriber" WHERE id = ${delivery.subscriberId}::uuid FOR UPDATE`;
        if (!subscriber) return null;
        const { request } = payload;
        if (subscriber.state === 'active') {
          payload = { template: 'apply-change', change: request };
        } else {
          await tx.subscriber.update({
            where: { id: delivery.subscriberId },
            data: { ...preferenceData(request.preferences), state: 'pending', confirmedAt: null, unsubscribedAt: null },
          });
          await this.replaceTopics(tx, delivery.subscriberId, await this.stillExisting(tx, request.topics));
          payload = { template: 'confirmation' };
        }
        await tx.delivery.update({ where: { id: deliveryId }, data: { payload: payload as unknown as Prisma.InputJsonValue } });
      }
      return { payload, subscriberId: delivery.subscriberId };
    });
    if (!decided) return null;
    // Read after commit, not on the transaction's connection: Prisma's query interpreter loads the
    // topics' country, sector and workstream relations concurrently, and concurrent queries on one
    // pg client are deprecated (pg 8 warns "already executing a query"; pg 9 refuses). The email
    // shows the subscriber's topics as they are when it is composed.
    const subscriber = await this.prisma.subscriber.findUnique({ where: { id: decided.subscriberId }, select: SUBSCRIBER_SELECT });
    return subscriber && { id: deliveryId, payload: decided.payload, subscriber: toRecord(subscriber) };
  }

  /** Newest first, keyset-paginated on (createdAt, id): what admins see of subscribers. */
  async listSubscribers(filter: SubscriberFilter): Promise<Page<AdminSubscriberRow>> {
    const rows = await this.prisma.subscriber.findMany({
      where: {
        ...(filter.state ? { state: { in: filter.state } } : {}),
        ...(filter.email ? { email: { contains: filter.email.toLowerCase() } } : {}),
        ...SUBSCRIBER_CURSOR.after(filter.cursor, 'createdAt'),
      },
      include: ADMIN_SUBSCRIBER_INCLUDE,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit + 1,
    });
    return toPage(rows, filter.limit, SUBSCRIBER_CURSOR, (row) => ({ at: row.createdAt, id: row.id }));
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

  /**
   * What a single-use token would do, without using it: the page a GET of the link shows (mail
   * scanners open links, so only the page's POST redeems).
   */
  async peekToken(token: string, now = new Date()): Promise<Peek> {
    const row = await this.prisma.subscriberToken.findUnique({
      where: { tokenHash: hashSingleUseToken(token) },
      select: { subscriberId: true, purpose: true, expiresAt: true, usedAt: true, payload: true },
    });
    if (!row) return { outcome: 'invalid' };
    if (row.usedAt) return { outcome: 'used' };
    if (row.expiresAt <= now) return { outcome: 'expired' };
    return { outcome: 'valid', purpose: row.purpose as TokenPurpose, subscriberId: row.subscriberId, change: row.payload as unknown as PendingChange | null };
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

  /** Saves preferences and, when given, the full new set of topics; never the state. */
  async updatePreferences(id: string, preferences: Partial<Preferences>, topics: TopicRow[] | null): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.subscriber.update({ where: { id }, data: preferenceData(preferences) });
      if (topics) await this.replaceTopics(tx, id, topics);
    });
  }

  /** Revokes every manage and unsubscribe link sent so far; false when there is no such subscriber. */
  async revokeLinks(id: string): Promise<boolean> {
    const { count } = await this.prisma.subscriber.updateMany({ where: { id }, data: { linkEpoch: { increment: 1 } } });
    return count > 0;
  }

  /**
   * Erases, in batches, the subscribers kept past their time as of `now`: pending ones whose last
   * request or change is older than `pendingMs` (never confirmed), unsubscribed ones who left more
   * than `unsubscribedMs` ago. Their topics, tokens and deliveries go with them (ON DELETE CASCADE).
   */
  async eraseExpired(now: Date, pendingMs: number, unsubscribedMs: number, batch = 1_000): Promise<{ pending: number; unsubscribed: number }> {
    const erased = { pending: 0, unsubscribed: 0 };
    const pendingBefore = new Date(now.getTime() - pendingMs);
    const unsubscribedBefore = new Date(now.getTime() - unsubscribedMs);
    for (;;) {
      const rows = await this.prisma.$queryRaw<{ state: SubscriberState }[]>`
        DELETE FROM "Subscriber" WHERE id IN (
          SELECT id FROM "Subscriber"
           WHERE (state = 'pending'::"SubscriberState" AND "confirmedAt" IS NULL AND "updatedAt" < ${pendingBefore})
              OR (state = 'unsubscribed'::"SubscriberState" AND "unsubscribedAt" < ${unsubscribedBefore})
           LIMIT ${batch}
           FOR UPDATE SKIP LOCKED)
        RETURNING state::text AS state`;
      for (const row of rows) erased[row.state === 'pending' ? 'pending' : 'unsubscribed']++;
      if (rows.length < batch) return erased;
    }
  }

  /** Everything held about one subscriber besides its preferences and topics: what the manage page's JSON shows. */
  async heldAbout(id: string) {
    return this.prisma.subscriber.findUnique({
      where: { id },
      select: {
        id: true,
        createdAt: true,
        updatedAt: true,
        confirmedAt: true,
        unsubscribedAt: true,
        tokens: { select: { purpose: true, createdAt: true, expiresAt: true, usedAt: true, payload: true }, orderBy: { createdAt: 'asc' } },
        deliveries: {
          select: { kind: true, status: true, attempts: true, createdAt: true, sentAt: true, lastError: true, digestWeek: true, eventId: true },
          orderBy: { createdAt: 'asc' },
        },
      },
    });
  }

  /**
   * Erases a subscriber: the row, and by its foreign keys (ON DELETE CASCADE) its topics, tokens
   * and deliveries, so no record keeps the address. False when there was none.
   */
  async erase(id: string): Promise<boolean> {
    const { count } = await this.prisma.subscriber.deleteMany({ where: { id } });
    return count > 0;
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
