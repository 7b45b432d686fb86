import { Injectable } from '@nestjs/common';
import { PrismaService } from '@pledgewatch/database';

/** What one HTTP attempt at a webhook delivery came to, for the endpoint's delivery log. */
export interface WebhookAttemptRecord {
  deliveryId: string;
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** At most 1 KB of the answer's body. */
  responseBody: string | null;
}

/** The delivery log of webhooks: one row per POST. Timestamps are UTC (`timestamp(3)`, Prisma's mapping). */
@Injectable()
export class WebhookAttemptsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async record(attempt: WebhookAttemptRecord): Promise<void> {
    await this.prisma.webhookAttempt.create({ data: { ...attempt, error: attempt.error?.slice(0, 1000) ?? null } });
  }

  /** The queue will try again at `at`: shown on the delivery's latest attempt. */
  async setNextAttempt(deliveryId: string, at: Date): Promise<void> {
    const latest = await this.prisma.webhookAttempt.findFirst({ where: { deliveryId }, orderBy: [{ at: 'desc' }, { attempt: 'desc' }], select: { id: true } });
    if (latest) await this.prisma.webhookAttempt.update({ where: { id: latest.id }, data: { nextAttemptAt: at } });
  }
}
