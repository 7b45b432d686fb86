import { randomBytes } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { CountryGroup, DateBasis, Health, Instrument, MilestoneStatus, PrismaClient, Stage, SubscriberState, Weekday } from '@pledgewatch/database';
import { eventTypeFromName, EventTypeName } from '@pledgewatch/events';

/** A slug no other factory call in this process produces: `<prefix>-<n>-<hex>`. */
let counter = 0;
export function uniqueSlug(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`;
}

/** A calendar day: `YYYY-MM-DD`, or a Date taken as it is. */
const day = (value: string | Date) => (value instanceof Date ? value : new Date(`${value}T00:00:00.000Z`));

export interface WorkstreamSpec {
  slug?: string;
  title?: string;
  summary?: string;
  summitId?: string;
  countries?: string[];
  sectors?: string[];
  instrument?: Instrument;
  stage?: Stage;
  health?: Health;
  createdAt?: Date;
  archivedAt?: Date | null;
  lastProgressAt?: Date | null;
  /** Created with the workstream, positions 1, 2, …, created when it was (unless given). */
  milestones?: Omit<MilestoneSpec, 'position'>[];
}

export interface MilestoneSpec {
  title?: string;
  dueDate?: string | Date;
  status?: MilestoneStatus;
  completedOn?: string | Date | null;
  /** The schema's default (`assumed`) unless given; `planned` or `sourced` can put a workstream off track. */
  dateBasis?: DateBasis;
  createdAt?: Date;
  position: number;
}

export interface SubscriberSpec {
  email?: string;
  state?: SubscriberState;
  timezone?: string;
  digestDay?: Weekday;
  digestHour?: number;
  digest?: boolean;
  alerts?: boolean;
  skipEmptyDigest?: boolean;
  confirmedAt?: Date;
  unsubscribedAt?: Date;
  topics?: { countryCode?: string; sectorSlug?: string; workstreamId?: string }[];
}

export interface EventSpec {
  type: EventTypeName;
  occurredAt: Date;
  milestoneId?: string;
  from?: string | null;
  to?: string | null;
  reason?: string;
  notify?: boolean;
}

function milestoneRow(workstreamId: string, spec: MilestoneSpec) {
  return {
    workstreamId,
    title: spec.title ?? `Milestone ${spec.position}`,
    dueDate: day(spec.dueDate ?? '2025-01-01'),
    status: spec.status ?? 'not_started',
    completedOn: spec.completedOn ? day(spec.completedOn) : null,
    dateBasis: spec.dateBasis,
    position: spec.position,
    createdAt: spec.createdAt,
  };
}

/**
 * Test data straight through Prisma, independent of the seed. Countries and sectors are upserted
 * (their keys are natural); everything else gets a fresh slug unless the test names one.
 */
export function factories(prisma: PrismaClient) {
  let defaultSummitId: string | undefined;

  const f = {
    async country(code: string, name = `Country ${code}`, group: CountryGroup = 'asean') {
      return prisma.country.upsert({ where: { code }, create: { code, name, group }, update: { name, group } });
    },

    async sector(slug = uniqueSlug('sector'), name = `Sector ${slug}`) {
      return prisma.sector.upsert({ where: { slug }, create: { slug, name }, update: { name } });
    },

    async summit(spec: {
      slug?: string;
      name?: string;
      startDate?: string;
      endDate?: string;
      location?: string;
      sources?: { title: string; url: string; publisher: string; date?: string }[];
    } = {}) {
      const slug = spec.slug ?? uniqueSlug('summit');
      return prisma.summit.create({
        data: {
          slug,
          name: spec.name ?? `Summit ${slug}`,
          startDate: day(spec.startDate ?? '2023-12-16'),
          endDate: day(spec.endDate ?? spec.startDate ?? '2023-12-18'),
          location: spec.location ?? 'Tokyo',
          sources: {
            create: (spec.sources ?? []).map((source, position) => ({
              title: source.title,
              url: source.url,
              publisher: source.publisher,
              date: source.date ? day(source.date) : null,
              position,
            })),
          },
        },
      });
    },

    /** A workstream with its countries, sectors and (when given) milestones; answers it with `milestoneIds`, in order. */
    async workstream(spec: WorkstreamSpec = {}) {
      const summitId = spec.summitId ?? (defaultSummitId ??= (await f.summit()).id);
      const slug = spec.slug ?? uniqueSlug('ws');
      const workstream = await prisma.workstream.create({
        data: {
          slug,
          title: spec.title ?? `Workstream ${slug}`,
          summary: spec.summary ?? `Summary of ${slug}.`,
          summitId,
          instrument: spec.instrument ?? 'initiative',
          stage: spec.stage ?? 'implementation',
          health: spec.health ?? 'unknown',
          createdAt: spec.createdAt,
          archivedAt: spec.archivedAt ?? null,
          lastProgressAt: spec.lastProgressAt ?? null,
          countries: { create: (spec.countries ?? []).map((countryCode) => ({ countryCode })) },
          sectors: { create: (spec.sectors ?? []).map((sectorSlug) => ({ sectorSlug })) },
        },
      });
      const milestones = (spec.milestones ?? []).map((m, i) => ({ id: randomUUID(), ...milestoneRow(workstream.id, { createdAt: spec.createdAt, ...m, position: i + 1 }) }));
      if (milestones.length) await prisma.milestone.createMany({ data: milestones });
      return { ...workstream, milestoneIds: milestones.map((m) => m.id) };
    },

    async milestone(workstreamId: string, spec: MilestoneSpec) {
      return prisma.milestone.create({ data: milestoneRow(workstreamId, spec) });
    },

    /** A subscriber (active, confirmed, alerts and digest on unless told) with its topics. */
    async subscriber(spec: SubscriberSpec = {}) {
      const state = spec.state ?? 'active';
      return prisma.subscriber.create({
        data: {
          email: spec.email ?? `${uniqueSlug('subscriber')}@example.org`,
          state,
          timezone: spec.timezone ?? 'UTC',
          digestDay: spec.digestDay ?? 'monday',
          digestHour: spec.digestHour ?? 8,
          digest: spec.digest ?? true,
          alerts: spec.alerts ?? true,
          skipEmptyDigest: spec.skipEmptyDigest ?? false,
          confirmedAt: state === 'pending' ? null : (spec.confirmedAt ?? new Date()),
          unsubscribedAt: state === 'unsubscribed' ? (spec.unsubscribedAt ?? new Date()) : null,
          subscriptions: { create: spec.topics ?? [] },
        },
      });
    },

    async event(workstreamId: string, spec: EventSpec) {
      return prisma.event.create({
        data: {
          workstreamId,
          type: eventTypeFromName(spec.type),
          milestoneId: spec.milestoneId ?? null,
          from: spec.from ?? null,
          to: spec.to ?? null,
          reason: spec.reason ?? `test ${spec.type}`,
          actor: 'test',
          occurredAt: spec.occurredAt,
          notify: spec.notify ?? true,
        },
      });
    },
  };
  return f;
}

export type Factories = ReturnType<typeof factories>;
