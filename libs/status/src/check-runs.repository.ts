import { Injectable } from '@nestjs/common';
import { PrismaService } from '@pledgewatch/database';

/** Reads of the StatusCheckRun rows the check records, one per run. */
@Injectable()
export class CheckRunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  latest(): Promise<{ asOf: Date; finishedAt: Date } | null> {
    return this.prisma.statusCheckRun.findFirst({ orderBy: { finishedAt: 'desc' }, select: { asOf: true, finishedAt: true } });
  }

  findBySlot(slot: string) {
    return this.prisma.statusCheckRun.findUnique({ where: { slot } });
  }
}
