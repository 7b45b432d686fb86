import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@pledgewatch/database';

/** Which undispatched events a batch takes. */
export type OutboxFilter = { ids: string[] } | { occurredAt: Date } | { olderThanMs: number };

function where(filter: OutboxFilter): Prisma.Sql {
  if ('ids' in filter) return Prisma.sql`id = ANY(${filter.ids}::uuid[])`;
  if ('occurredAt' in filter) return Prisma.sql`"occurredAt" = (${filter.occurredAt.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  return Prisma.sql`"occurredAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${filter.olderThanMs / 1000}::float8)`;
}

/** The outbox's rows: the events not yet handed to the queue, and those whose fan-out has not finished. */
@Injectable()
export class EventsOutboxRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Takes up to `limit` undispatched events matching `filter`, oldest first, locked (FOR UPDATE
   * SKIP LOCKED) while `hand` enqueues them, and marks them dispatched (and their fan-out pending)
   * when it succeeds; a failing `hand` leaves them undispatched. Answers how many were taken.
   */
  takeBatch(filter: OutboxFilter, limit: number, hand: (ids: string[]) => Promise<void>): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Event"
          WHERE "dispatchedAt" IS NULL AND ${where(filter)}
          ORDER BY "occurredAt", id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        const ids = rows.map((row) => row.id);
        await hand(ids);
        await tx.$executeRaw`UPDATE "Event" SET "dispatchedAt" = now() AT TIME ZONE 'UTC', "fanoutPending" = true WHERE id = ANY(${ids}::uuid[])`;
        return ids.length;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }

  /**
   * Events handed to the queue more than `olderThanMs` ago whose fan-out has not finished (still
   * `fanoutPending`), oldest first: waiting behind others, running, or lost with the queue.
   */
  async findUnfinishedFanouts(olderThanMs: number, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM "Event"
       WHERE "fanoutPending"
         AND "dispatchedAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${olderThanMs / 1000}::float8)
       ORDER BY "dispatchedAt", id
       LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }
}
