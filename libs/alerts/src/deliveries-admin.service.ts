import { Injectable } from '@nestjs/common';
import { DeliveryKind, DeliveryStatus, Prisma, PrismaService } from '@pledgewatch/database';
import { CursorCodec, Page, toPage } from '@pledgewatch/pagination';
import { ConflictError, NotFoundError } from '@pledgewatch/problems';
import { DeliveryQueue } from './delivery-queue';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR = new CursorCodec('admin-deliveries');

const DELIVERY_INCLUDE = { subscriber: { select: { id: true, email: true } } } satisfies Prisma.DeliveryInclude;
type DeliveryRow = Prisma.DeliveryGetPayload<{ include: typeof DELIVERY_INCLUDE }>;

export interface DeliveryFilter {
  status?: DeliveryStatus[];
  kind?: DeliveryKind[];
  limit: number;
  cursor?: string;
}

export function toDeliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    messageId: row.messageId,
    subscriber: { id: row.subscriber.id, email: row.subscriber.email },
    eventId: row.eventId,
    digestWeek: row.digestWeek ? row.digestWeek.toISOString().slice(0, 10) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}
export type DeliveryView = ReturnType<typeof toDeliveryView>;

export class DeliveryAlreadySentError extends ConflictError {
  constructor(id: string) {
    super('delivery_already_sent', `Delivery "${id}" was already sent; sending it again would duplicate the email.`);
  }
}

/** What editors see of outgoing email, and the one thing they can do about a failure: retry it. */
@Injectable()
export class DeliveriesAdminService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly queue: DeliveryQueue,
  ) {}

  /** Newest first, keyset-paginated on (createdAt, id): a page never shifts as deliveries change status. */
  async list(filter: DeliveryFilter): Promise<Page<DeliveryView>> {
    const rows = await this.prisma.delivery.findMany({
      where: {
        ...(filter.status ? { status: { in: filter.status } } : {}),
        ...(filter.kind ? { kind: { in: filter.kind } } : {}),
        ...CURSOR.after(filter.cursor, 'createdAt'),
      },
      include: DELIVERY_INCLUDE,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit + 1,
    });
    const page = toPage(rows, filter.limit, CURSOR, (row) => ({ at: row.createdAt, id: row.id }));
    return { items: page.items.map(toDeliveryView), nextCursor: page.nextCursor };
  }

  /**
   * A failed or suppressed delivery goes back to `queued` (its attempts are kept: they are its
   * history) and gets a send job again. A queued one only gets its job back if it has none.
   */
  async retry(id: string): Promise<DeliveryView> {
    if (!UUID.test(id)) throw new NotFoundError('Delivery', id);
    const requeued = await this.prisma.delivery.updateManyAndReturn({
      where: { id, status: { in: ['failed', 'suppressed', 'queued'] } },
      data: { status: 'queued' },
    });
    if (requeued.length === 0) {
      const existing = await this.prisma.delivery.findUnique({ where: { id }, select: { status: true } });
      if (!existing) throw new NotFoundError('Delivery', id);
      throw new DeliveryAlreadySentError(id);
    }
    await this.queue.requeue(id);
    const row = await this.prisma.delivery.findUniqueOrThrow({ where: { id }, include: DELIVERY_INCLUDE });
    return toDeliveryView(row);
  }
}
