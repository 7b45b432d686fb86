import { randomBytes } from 'node:crypto';
import type { CountryGroup, Health, Instrument, MilestoneStatus, PrismaClient, Stage } from '@pledgewatch/database';
import { eventTypeFromName, EventTypeName } from '@pledgewatch/events';

/** A slug no other factory call in this process produces: `<prefix>-<n>-<hex>`. */
let counter = 0;
export function uniqueSlug(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`;
}

const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

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
}

export interface MilestoneSpec {
  title?: string;
  dueDate?: string;
  status?: MilestoneStatus;
  position: number;
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

    async workstream(spec: WorkstreamSpec = {}) {
      const summitId = spec.summitId ?? (defaultSummitId ??= (await f.summit()).id);
      const slug = spec.slug ?? uniqueSlug('ws');
      return prisma.workstream.create({
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
          countries: { create: (spec.countries ?? []).map((countryCode) => ({ countryCode })) },
          sectors: { create: (spec.sectors ?? []).map((sectorSlug) => ({ sectorSlug })) },
        },
      });
    },

    async milestone(workstreamId: string, spec: MilestoneSpec) {
      return prisma.milestone.create({
        data: {
          workstreamId,
          title: spec.title ?? `Milestone ${spec.position}`,
          dueDate: day(spec.dueDate ?? '2025-01-01'),
          status: spec.status ?? 'not_started',
          position: spec.position,
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
