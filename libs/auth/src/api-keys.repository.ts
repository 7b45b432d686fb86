import { Injectable } from '@nestjs/common';
import { ApiKey, ApiKeyRole, Prisma, PrismaService } from '@pledgewatch/database';
import { isUuid } from '@pledgewatch/problems';


@Injectable()
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }

  insert(tx: Prisma.TransactionClient, data: { name: string; role: ApiKeyRole; keyHash: string; prefix: string }): Promise<ApiKey> {
    return tx.apiKey.create({ data });
  }

  list(): Promise<ApiKey[]> {
    return this.prisma.apiKey.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  findByHash(keyHash: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findUnique({ where: { keyHash } });
  }

  /** Keys matching an id, or a display prefix (with or without its `pw_`); locked for the caller's update. */
  async findByReference(tx: Prisma.TransactionClient, reference: string): Promise<ApiKey[]> {
    const prefix = reference.startsWith('pw_') ? reference : `pw_${reference}`;
    const locked = isUuid(reference)
      ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "ApiKey" WHERE id = ${reference}::uuid FOR UPDATE`
      : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "ApiKey" WHERE prefix = ${prefix} FOR UPDATE`;
    if (locked.length === 0) return [];
    return tx.apiKey.findMany({ where: { id: { in: locked.map((r) => r.id) } }, orderBy: { createdAt: 'asc' } });
  }

  revoke(tx: Prisma.TransactionClient, id: string, at: Date): Promise<ApiKey> {
    return tx.apiKey.update({ where: { id }, data: { revokedAt: at } });
  }

  /** At most one write per key per `granularityMs`, however many requests it makes. */
  async touch(id: string, now: Date, granularityMs: number): Promise<void> {
    await this.prisma.apiKey.updateMany({
      where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - granularityMs) } }] },
      data: { lastUsedAt: now },
    });
  }
}
