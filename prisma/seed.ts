/**
 * Idempotent seed: the ASEAN–Japan Commemorative Summit and its commitments (data in seed-data.ts).
 *
 * Every row has a fixed id derived from its natural key, so running the seed again writes nothing
 * new. Rows an editor has since changed (version > 1) belong to the editors and are left alone.
 *
 * The seed loads the tracker as of `asOf` and alerts nobody: a milestone already past due is
 * stored `overdue`, and health is evaluated with the configured windows and the rules the status
 * check applies (evaluateHealth, which the check's SQL is tested against), with each workstream's
 * last review from the seed data, so the first check after a seed writes nothing. On a later run,
 * a workstream whose seed data changed (or that was judged under earlier rules) is re-judged, and
 * a health change is recorded as a quiet event; time passing is the check's to report, with
 * alerts. Workstreams folded into another (FOLDED_WORKSTREAMS) are archived.
 *
 *   npx tsx prisma/seed.ts        (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/pledgewatch)
 */
import { createHash } from 'node:crypto';
import { config as loadDotenv } from 'dotenv';
import { PrismaPg } from '@prisma/adapter-pg';
import { HealthWindows, loadConfig } from '@pledgewatch/config';
import { Health, Prisma, PrismaClient, Stage } from '@pledgewatch/database';
import { calendarDayOrThrow } from '@pledgewatch/problems';
import { evaluateHealth, HealthMilestone, HealthVerdict, progressAsOf } from '@pledgewatch/status';
import { COUNTRIES, FOLDED_WORKSTREAMS, MilestoneSeed, SECTORS, SUMMIT, WORKSTREAMS, WorkstreamSeed } from './seed-data';

export interface SeedSummary {
  asOf: Date;
  windows: HealthWindows;
  countries: number;
  sectors: number;
  summits: number;
  workstreams: number;
  milestones: number;
  /** Events that exist for the seeded history (created, completed, health changes). */
  events: number;
  /** Workstreams created by this run (0 on a re-run). */
  created: number;
  /** Folded workstreams this run archived (0 on a re-run). */
  archived: number;
  health: Partial<Record<Health, number>>;
}

const ACTOR = 'seed';
/** Who the seed's reviews name: the editors who read the sources the seed data cites. */
const REVIEWER = 'seed editors';
const OPEN_STATUSES = new Set(['not_started', 'in_progress']);
const ACTIVE_STAGES = new Set(['pipeline', 'implementation', 'finalisation']);

/** A name-based UUID (SHA-1, RFC 4122 version 5 layout) so that every seeded row has a fixed id. */
export function seedId(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const workstreamId = (slug: string) => seedId(`workstream:${slug}`);
export const milestoneId = (slug: string, position: number) => seedId(`${slug}#${position}`);

/** The API's one date rule (a real day within DATE_RANGE): a bad date in the seed data fails the seed, not a later request. */
const day = calendarDayOrThrow;
const isoDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** When the commitment entered the record: the summit's start, or an earlier completed milestone. */
export function originOf(ws: WorkstreamSeed): Date {
  const dates = [SUMMIT.startDate, ...ws.milestones.filter((m) => m.status === 'completed').map((m) => m.date)].sort();
  return day(dates[0]);
}

/**
 * A milestone as the seed stores it as of `asOf`: an open one already past its due date (the
 * period's end) is `overdue`, as the check would have marked it, so the first check has nothing
 * to report. Only milestones of an active workstream are flagged, as the check does.
 */
export function milestoneRow(ws: WorkstreamSeed, m: MilestoneSeed, position: number, asOf: Date = new Date()) {
  const dueDate = day(m.date);
  const pastDue = dueDate.getTime() < Date.parse(`${isoDay(asOf)}T00:00:00Z`);
  const status = OPEN_STATUSES.has(m.status) && pastDue && ACTIVE_STAGES.has(ws.stage) ? 'overdue' : m.status;
  return {
    id: milestoneId(ws.slug, position),
    workstreamId: workstreamId(ws.slug),
    title: m.title,
    dueDate,
    datePrecision: m.precision ?? 'day',
    completedOn: m.status === 'completed' ? dueDate : null,
    completedOnPrecision: m.status === 'completed' ? (m.precision ?? 'day') : 'day',
    status,
    dateBasis: m.dateBasis,
    note: m.note,
    evidenceUrl: m.evidenceUrl ?? null,
    position,
    // Tracked since the commitment was: "health as of" a past date counts only milestones that existed then.
    createdAt: originOf(ws),
  };
}

type MilestoneRow = ReturnType<typeof milestoneRow>;

/** When the seed's editors last checked a workstream against its sources: that day, 00:00 UTC. */
export const reviewedAt = (ws: WorkstreamSeed) => day(ws.review.date);

/**
 * A seeded workstream's health as of `asOf`: the verdict is evaluateHealth's over its milestones
 * and its editors' last review; its last progress is derived from the milestones, as always.
 */
export function seedVerdict(
  row: { stage: Stage; createdAt: Date; milestones: HealthMilestone[] },
  reviews: Date[],
  asOf: Date,
  windows: HealthWindows,
): { lastProgressAt: Date | null; verdict: HealthVerdict } {
  const lastProgressAt = progressAsOf(row.milestones.filter((m) => m.status !== 'cancelled'), asOf)?.on ?? null;
  return { lastProgressAt, verdict: evaluateHealth({ stage: row.stage, createdAt: row.createdAt, reviews }, row.milestones, asOf, windows) };
}

const MILESTONE_FIELDS = ['title', 'dueDate', 'datePrecision', 'completedOn', 'completedOnPrecision', 'status', 'dateBasis', 'note', 'evidenceUrl', 'position'] as const;

/** A stored `overdue` is the seed's open status as the check (or the seed's load) marked it: not a difference. */
function sameMilestoneValue(field: (typeof MILESTONE_FIELDS)[number], stored: unknown, desired: unknown, seedStatus: string): boolean {
  if (field === 'status' && (stored === 'overdue' || desired === 'overdue') && OPEN_STATUSES.has(seedStatus)) {
    return stored === desired || OPEN_STATUSES.has(String(stored)) || stored === 'overdue';
  }
  return sameValue(stored, desired);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  return a === b;
}

/** JSON with sorted keys: jsonb does not keep key order, so compare canonical text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export async function seed(prisma: PrismaClient, options: { asOf?: Date; windows?: HealthWindows } = {}): Promise<SeedSummary> {
  const asOf = options.asOf ?? new Date();
  const windows = options.windows ?? loadConfig().healthWindows;
  const milestoneCount = WORKSTREAMS.reduce((n, ws) => n + ws.milestones.length, 0);

  return prisma.$transaction(
    async (tx) => {
      for (const c of COUNTRIES) {
        await tx.country.upsert({ where: { code: c.code }, create: c, update: { name: c.name, group: c.group } });
      }
      for (const s of SECTORS) {
        await tx.sector.upsert({ where: { slug: s.slug }, create: s, update: { name: s.name } });
      }

      const summitFields = {
        name: SUMMIT.name,
        startDate: day(SUMMIT.startDate),
        endDate: day(SUMMIT.endDate),
        location: SUMMIT.location,
      };
      const summit = await tx.summit.upsert({
        where: { slug: SUMMIT.slug },
        create: { id: seedId(`summit:${SUMMIT.slug}`), slug: SUMMIT.slug, ...summitFields },
        update: summitFields,
      });
      for (const [position, s] of SUMMIT.sources.entries()) {
        const fields = { title: s.title, url: s.url, publisher: s.publisher, date: s.date ? day(s.date) : null };
        await tx.summitSource.upsert({
          where: { summitId_position: { summitId: summit.id, position } },
          create: { id: seedId(`summit:${SUMMIT.slug}#source${position}`), summitId: summit.id, position, ...fields },
          update: fields,
        });
      }

      // Workstreams, keyed by slug; only those still at version 1 are (re)written by the seed.
      const existing = new Map(
        (await tx.workstream.findMany({ where: { slug: { in: WORKSTREAMS.map((w) => w.slug) } } })).map((w) => [w.slug, w]),
      );
      const owned: WorkstreamSeed[] = [];
      const createdSlugs = new Set<string>();
      /** Seed-owned workstreams whose seed data changed in this run: re-judged (quietly) below. */
      const changedSlugs = new Set<string>();
      for (const ws of WORKSTREAMS) {
        const current = existing.get(ws.slug);
        if (current && (current.version > 1 || current.id !== workstreamId(ws.slug))) continue;
        owned.push(ws);
        const source = ws.source as unknown as Prisma.InputJsonValue;
        const fields = {
          title: ws.title,
          summary: ws.summary,
          summitId: summit.id,
          instrument: ws.instrument,
          stage: ws.stage,
          lastReviewedAt: reviewedAt(ws),
          lastReviewedBy: REVIEWER,
          lastReviewNote: ws.review.note,
        };
        if (!current) {
          createdSlugs.add(ws.slug);
          await tx.workstream.create({
            data: { id: workstreamId(ws.slug), slug: ws.slug, ...fields, source, watchTerms: ws.watchTerms, createdAt: originOf(ws), healthSince: asOf },
          });
        } else if (
          Object.entries(fields).some(([k, v]) => !sameValue(current[k as keyof typeof fields], v)) ||
          canonicalJson(current.source) !== canonicalJson(ws.source) ||
          canonicalJson(current.watchTerms) !== canonicalJson(ws.watchTerms)
        ) {
          changedSlugs.add(ws.slug);
          await tx.workstream.update({ where: { id: current.id }, data: { ...fields, source, watchTerms: ws.watchTerms } });
        }
      }

      const ownedIds = owned.map((ws) => workstreamId(ws.slug));
      for (const ws of owned) {
        const id = workstreamId(ws.slug);
        await tx.workstreamCountry.deleteMany({ where: { workstreamId: id, countryCode: { notIn: ws.countries } } });
        await tx.workstreamSector.deleteMany({ where: { workstreamId: id, sectorSlug: { notIn: ws.sectors } } });
      }
      await tx.workstreamCountry.createMany({
        data: owned.flatMap((ws) => ws.countries.map((countryCode) => ({ workstreamId: workstreamId(ws.slug), countryCode }))),
        skipDuplicates: true,
      });
      await tx.workstreamSector.createMany({
        data: owned.flatMap((ws) => ws.sectors.map((sectorSlug) => ({ workstreamId: workstreamId(ws.slug), sectorSlug }))),
        skipDuplicates: true,
      });

      // Milestones: create the missing, correct the seed-owned (version 1) that differ.
      const seedStatus = new Map<string, string>();
      const desired: MilestoneRow[] = owned.flatMap((ws) =>
        ws.milestones.map((m, i) => {
          const row = milestoneRow(ws, m, i, asOf);
          seedStatus.set(row.id, m.status);
          return row;
        }),
      );
      const stored = new Map(
        (await tx.milestone.findMany({ where: { id: { in: desired.map((m) => m.id) } } })).map((m) => [m.id, m]),
      );
      const added = desired.filter((m) => !stored.has(m.id));
      await tx.milestone.createMany({ data: added, skipDuplicates: true });
      for (const m of added) if (!createdSlugs.has(slugOf(owned, m.workstreamId))) changedSlugs.add(slugOf(owned, m.workstreamId));
      for (const m of desired) {
        const current = stored.get(m.id);
        if (!current || current.version > 1) continue;
        const changed = MILESTONE_FIELDS.filter((f) => !sameMilestoneValue(f, current[f], m[f], seedStatus.get(m.id)!));
        if (changed.length) {
          changedSlugs.add(slugOf(owned, m.workstreamId));
          await tx.milestone.update({ where: { id: m.id }, data: Object.fromEntries(changed.map((f) => [f, m[f]])) });
        }
      }

      // The editors' last look at each workstream, kept as a review (health as of a past date uses it from its day on).
      await tx.review.createMany({
        data: owned.map((ws) => ({
          id: seedId(`review:${ws.slug}#${ws.review.date}`),
          workstreamId: workstreamId(ws.slug),
          reviewedAt: reviewedAt(ws),
          reviewer: REVIEWER,
          kind: 'review',
          note: ws.review.note,
        })),
        skipDuplicates: true,
      });

      // History: the commitment entering the record, and each completion. Never alerts.
      const history: Prisma.EventCreateManyInput[] = [];
      for (const ws of owned) {
        const origin = originOf(ws);
        // No `to`: an editor's created event carries the health the workstream started with, but the
        // seed back-fills years of history without the health changes in between, so health as of a
        // past date is answered by the rules over the rows (GET …?asOf=), not by this event.
        history.push({
          id: seedId(`event:${ws.slug}#created`),
          type: 'workstream_created',
          workstreamId: workstreamId(ws.slug),
          reason: `Entered the tracker from the ${SUMMIT.name} (${SUMMIT.location}, ${SUMMIT.startDate} to ${SUMMIT.endDate}).`,
          actor: ACTOR,
          occurredAt: origin,
          notify: false,
          dispatchedAt: origin,
        });
      }
      for (const m of desired) {
        if (!m.completedOn) continue;
        history.push({
          id: seedId(`event:${m.id}#completed`),
          type: 'milestone_completed',
          workstreamId: m.workstreamId,
          milestoneId: m.id,
          to: 'completed',
          reason: `${m.title}. ${m.note}`,
          actor: ACTOR,
          occurredAt: m.completedOn,
          notify: false,
          dispatchedAt: m.completedOn,
        });
      }
      await tx.event.createMany({ data: history, skipDuplicates: true });

      // Folded workstreams: archived, if the seed still owns them; their rows and history stay.
      const { count: archived } = await tx.workstream.updateMany({
        where: { slug: { in: FOLDED_WORKSTREAMS.map((f) => f.slug) }, version: 1, archivedAt: null },
        data: { archivedAt: asOf },
      });

      // Derived values, from the milestones as stored: last progress, and health as of asOf. A new
      // workstream's health holds since the day its condition arose (a due date passing, a review),
      // not since the seed ran. Re-judged ones (changed seed data, or judged under earlier rules)
      // record a health change quietly: a correction of the record, not news.
      const rows = await tx.workstream.findMany({ where: { id: { in: ownedIds } }, include: { milestones: true, reviews: { select: { reviewedAt: true } } } });
      const health: Partial<Record<Health, number>> = {};
      for (const row of rows) {
        const { lastProgressAt, verdict } = seedVerdict(row, row.reviews.map((r) => r.reviewedAt), asOf, windows);
        health[verdict.health] = (health[verdict.health] ?? 0) + 1;
        const judged = createdSlugs.has(row.slug) || changedSlugs.has(row.slug) || row.healthKey === null;
        if (!judged) continue;

        const data: Prisma.WorkstreamUpdateInput = {};
        if (!sameValue(row.lastProgressAt, lastProgressAt)) data.lastProgressAt = lastProgressAt;
        if (row.healthKey !== verdict.key) data.healthKey = verdict.key;
        if (row.healthReason !== verdict.reason) data.healthReason = verdict.reason;
        if (createdSlugs.has(row.slug) || row.health !== verdict.health) {
          Object.assign(data, { health: verdict.health, healthSince: verdict.since ?? asOf });
        }
        if (!createdSlugs.has(row.slug) && row.health !== verdict.health) {
          await tx.event.create({
            data: {
              id: seedId(`event:${row.slug}#health#${asOf.toISOString()}`),
              type: 'workstream_health_changed',
              workstreamId: row.id,
              from: row.health,
              to: verdict.health,
              reason: `The record was corrected: ${verdict.reason}`,
              actor: ACTOR,
              occurredAt: asOf,
              notify: false,
            },
          });
        }
        if (Object.keys(data).length) await tx.workstream.update({ where: { id: row.id }, data });
      }

      return {
        asOf,
        windows,
        countries: COUNTRIES.length,
        sectors: SECTORS.length,
        summits: 1,
        workstreams: WORKSTREAMS.length,
        milestones: milestoneCount,
        events: await tx.event.count({ where: { workstreamId: { in: ownedIds }, actor: ACTOR } }),
        created: createdSlugs.size,
        archived,
        health,
      };
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
}

function slugOf(owned: WorkstreamSeed[], id: string): string {
  return owned.find((ws) => workstreamId(ws.slug) === id)!.slug;
}

function summaryLine(summary: SeedSummary): string {
  const health = Object.entries(summary.health)
    .map(([h, n]) => `${h} ${n}`)
    .join(', ');
  return (
    `seeded ${summary.countries} countries, ${summary.sectors} sectors, ${summary.summits} summit, ` +
    `${summary.workstreams} workstreams (${summary.created} new), ${summary.milestones} milestones, ${summary.events} events; ` +
    `${summary.archived ? `${summary.archived} folded workstreams archived; ` : ''}` +
    `health as of ${isoDay(summary.asOf)} (warning ${summary.windows.warningDays}, grace ${summary.windows.graceDays}, stall ${summary.windows.stallDays} days): ${health}`
  );
}

if (require.main === module) {
  loadDotenv({ quiet: true });
  const connectionString = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/pledgewatch';
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
  seed(prisma)
    .then((summary) => console.log(summaryLine(summary)))
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    })
    .finally(() => prisma.$disconnect());
}
