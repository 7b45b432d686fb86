import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@pledgewatch/database';

/**
 * The status check's Postgres I/O: its transaction; the set-based statements that run inside it
 * are in status-check.sql.ts (each takes the transaction).
 */
@Injectable()
export class StatusCheckRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>, limits: { timeout: number; maxWait: number }): Promise<T> {
    return this.prisma.$transaction(work, limits);
  }
}
