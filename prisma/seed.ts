/**
 * Idempotent seed: the ASEAN–Japan Commemorative Summit and its commitments (data in seed-data.ts).
 *
 * Every row has a fixed id derived from its natural key, so running the seed again writes nothing
 * new. Rows an editor has since changed (version > 1) belong to the editors and are left alone.
 * Health is evaluated as of `asOf` with the configured windows (HEALTH_WARNING_DAYS, HEALTH_GRACE_DAYS,
 * HEALTH_STALL_DAYS) and the rules the status check applies (evaluateHealth, which the check's SQL is
 * tested against), so the first check after a seed changes no health. It is only rewritten when it
 * changes, in which case a `workstream.health_changed` event is recorded in the same transaction, as
 * for any health change. Workstreams folded into another (FOLDED_WORKSTREAMS) are archived.
 *
 *   npx tsx prisma/seed.ts        (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/pledgewatch)
 */
import { createHash } from 'node:crypto';
import { config as loadDotenv } from 'dotenv';
import { PrismaPg } from '@prisma/adapter-pg';
import { HealthWindows, loadConfig } from '@pledgewatch/config';
import { Health, Prisma, PrismaClient, Stage } from '@pledgewatch/database';
import { calendarDayOrThrow } from '@pledgewatch/problems';
import { evaluateHealth, HealthMilestone, HealthVerdict } from '@pledgewatch/status';
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

export function milestoneRow(ws: WorkstreamSeed, m: MilestoneSeed, position: number) {
  return {
    id: milestoneId(ws.slug, position),
    workstreamId: workstreamId(ws.slug),
    title: m.title,
    dueDate: day(m.date),
    completedOn: m.status === 'completed' ? day(m.date) : null,
    status: m.status,
    dateBasis: m.dateBasis,
    note: m.note,
    evidenceUrl: m.evidenceUrl ?? null,
    position,
    // Tracked since the commitment was: "health as of" a past date counts only milestones that existed then.
    createdAt: originOf(ws),
  };
}

type MilestoneRow = ReturnType<typeof milestoneRow>;

/**
 * A seeded workstream's health as of `asOf`: its last progress is its latest completion (the seed
 * records no other progress), and the verdict is evaluateHealth's over its milestones.
 */
export function seedVerdict(
  row: { stage: Stage; createdAt: Date; milestones: HealthMilestone[] },
  asOf: Date,
  windows: HealthWindows,
): { lastProgressAt: Date | null; verdict: HealthVerdict } {
  const completions = row.milestones.map((m) => m.completedOn).filter((d): d is Date => d !== null);
  const lastProgressAt = completions.length ? new Date(Math.max(...completions.map((d) => d.getTime()))) : null;
  return { lastProgressAt, verdict: evaluateHealth({ stage: row.stage, lastProgressAt, createdAt: row.createdAt }, row.milestones, asOf, windows) };
}

const MILESTONE_FIELDS = ['title', 'dueDate', 'completedOn', 'status', 'dateBasis', 'note', 'evidenceUrl', 'position'] as const;

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
      for (const ws of WORKSTREAMS) {
        const current = existing.get(ws.slug);
        if (current && (current.version > 1 || current.id !== workstreamId(ws.slug))) continue;
        owned.push(ws);
        const source = ws.source as unknown as Prisma.InputJsonValue;
        const fields = { title: ws.title, summary: ws.summary, summitId: summit.id, instrument: ws.instrument, stage: ws.stage };
        if (!current) {
          createdSlugs.add(ws.slug);
          await tx.workstream.create({
            data: { id: workstreamId(ws.slug), slug: ws.slug, ...fields, source, createdAt: originOf(ws), healthSince: asOf },
          });
        } else if (
          Object.entries(fields).some(([k, v]) => !sameValue(current[k as keyof typeof fields], v)) ||
          canonicalJson(current.source) !== canonicalJson(ws.source)
        ) {
          await tx.workstream.update({ where: { id: current.id }, data: { ...fields, source } });
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
      const desired: MilestoneRow[] = owned.flatMap((ws) => ws.milestones.map((m, i) => milestoneRow(ws, m, i)));
      const stored = new Map(
        (await tx.milestone.findMany({ where: { id: { in: desired.map((m) => m.id) } } })).map((m) => [m.id, m]),
      );
      await tx.milestone.createMany({ data: desired.filter((m) => !stored.has(m.id)), skipDuplicates: true });
      for (const m of desired) {
        const current = stored.get(m.id);
        if (!current || current.version > 1) continue;
        const changed = MILESTONE_FIELDS.filter((f) => !sameValue(current[f], m[f]));
        if (changed.length) {
          await tx.milestone.update({ where: { id: m.id }, data: Object.fromEntries(changed.map((f) => [f, m[f]])) });
        }
      }

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

      // Derived values, from the milestones as stored: last progress, and health as of asOf.
      const rows = await tx.workstream.findMany({
        where: { id: { in: ownedIds } },
        include: { milestones: { select: { title: true, status: true, dueDate: true, completedOn: true, dateBasis: true } } },
      });
      const health: Partial<Record<Health, number>> = {};
      for (const row of rows) {
        const { lastProgressAt, verdict } = seedVerdict(row, asOf, windows);
        health[verdict.health] = (health[verdict.health] ?? 0) + 1;

        const data: Prisma.WorkstreamUpdateInput = {};
        if (!sameValue(row.lastProgressAt, lastProgressAt)) data.lastProgressAt = lastProgressAt;
        if (createdSlugs.has(row.slug)) {
          Object.assign(data, { health: verdict.health, healthReason: verdict.reason, healthSince: asOf });
        } else if (row.health !== verdict.health) {
          Object.assign(data, { health: verdict.health, healthReason: verdict.reason, healthSince: asOf });
          await tx.event.create({
            data: {
              id: seedId(`event:${row.slug}#health#${asOf.toISOString()}`),
              type: 'workstream_health_changed',
              workstreamId: row.id,
              from: row.health,
              to: verdict.health,
              reason: verdict.reason,
              actor: ACTOR,
              occurredAt: asOf,
            },
          });
        } else if (row.healthReason !== verdict.reason) {
          data.healthReason = verdict.reason;
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
