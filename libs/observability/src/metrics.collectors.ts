import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@pledgewatch/database';
import { JobQueues, queueDepths } from '@pledgewatch/queue';
import { metrics } from './metrics';

/**
 * Gauges read at scrape time from the sources of truth: queue depth from the queue backend,
 * outbox backlog from Postgres. A source that is down leaves its gauge as it was; the readiness
 * check, not the scrape, reports the outage.
 */
@Injectable()
export class MetricsCollectors implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly queues: JobQueues,
  ) {}

  onModuleInit(): void {
    const { queueJobs, outboxBacklog } = metrics;
    const queues = this.queues;
    const prisma = this.prisma;
    Object.assign(queueJobs, {
      async collect() {
        const depths = await queueDepths(queues).catch(() => null);
        for (const [queue, depth] of depths ?? []) {
          for (const [state, count] of Object.entries(depth)) queueJobs.set({ queue, state }, count);
        }
      },
    });
    Object.assign(outboxBacklog, {
      async collect() {
        const rows = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "Event" WHERE "dispatchedAt" IS NULL`.catch(() => null);
        if (rows) outboxBacklog.set(Number(rows[0].n));
      },
    });
  }
}
