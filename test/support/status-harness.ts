import type { PrismaClient } from '@pledgewatch/database';
import { eventTypeName } from '@pledgewatch/events';

export const DAY_MS = 86_400_000;

/** Midnight UTC `days` from today's; `at` adds hours of that day. */
export function utcDay(days: number, hours = 0): Date {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + days * DAY_MS + hours * 3_600_000);
}

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);

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
