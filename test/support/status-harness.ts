import { randomUUID } from 'node:crypto';
import type { DateBasis, MilestoneStatus, PrismaClient, Stage } from '@pledgewatch/database';
import { eventTypeName } from '@pledgewatch/events';

export const DAY_MS = 86_400_000;

/** Midnight UTC `days` from today's; `at` adds hours of that day. */
export function utcDay(days: number, hours = 0): Date {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + days * DAY_MS + hours * 3_600_000);
}

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);

export interface MilestoneInput {
  title: string;
  dueDate: Date;
  status?: MilestoneStatus;
  completedOn?: Date | null;
  /** Default `planned`: an announced date, so a passed one can put the workstream off track. */
  dateBasis?: DateBasis;
}

/** A workstream straight through Prisma (health as never checked: `unknown`), with its summit. */
export async function insertWorkstream(
  prisma: PrismaClient,
  spec: { slug: string; createdAt: Date; stage?: Stage; lastProgressAt?: Date | null; milestones: MilestoneInput[] },
): Promise<{ id: string; milestoneIds: string[] }> {
  const summit =
    (await prisma.summit.findUnique({ where: { slug: 'status-test' } })) ??
    (await prisma.summit.create({
      data: { slug: 'status-test', name: 'Status test summit', startDate: new Date('2023-12-16'), endDate: new Date('2023-12-18'), location: 'Tokyo' },
    }));
  const id = randomUUID();
  await prisma.workstream.create({
    data: {
      id,
      slug: spec.slug,
      title: `Workstream ${spec.slug}`,
      summary: 'For the status check tests.',
      summitId: summit.id,
      instrument: 'initiative',
      stage: spec.stage ?? 'implementation',
      createdAt: spec.createdAt,
      lastProgressAt: spec.lastProgressAt ?? null,
    },
  });
  const milestoneIds = spec.milestones.map(() => randomUUID());
  await prisma.milestone.createMany({
    data: spec.milestones.map((m, i) => ({
      id: milestoneIds[i],
      workstreamId: id,
      title: m.title,
      dueDate: m.dueDate,
      status: m.status ?? 'not_started',
      completedOn: m.completedOn ?? null,
      dateBasis: m.dateBasis ?? 'planned',
      position: i + 1,
      createdAt: spec.createdAt,
    })),
  });
  return { id, milestoneIds };
}

/** Events as short strings, oldest first: `milestone.overdue <milestone title> in_progress→overdue`. */
export async function describeEvents(prisma: PrismaClient, where: { workstreamId?: string } = {}): Promise<Map<string, string>> {
  const events = await prisma.event.findMany({
    where,
    include: { milestone: { select: { title: true } } },
    orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
  });
  return new Map(
    events.map((e) => [e.id, `${eventTypeName(e.type)}${e.milestone ? ` ${e.milestone.title}` : ''} ${e.from ?? '∅'}→${e.to ?? '∅'}`]),
  );
}

/** A reader of "what events appeared since I last asked". */
export function eventLog(prisma: PrismaClient, where: { workstreamId?: string } = {}) {
  const seen = new Set<string>();
  return async function newEvents(): Promise<string[]> {
    const all = await describeEvents(prisma, where);
    const fresh = [...all].filter(([id]) => !seen.has(id));
    fresh.forEach(([id]) => seen.add(id));
    return fresh.map(([, text]) => text).sort();
  };
}
