import type { QueueBackend } from './backends';
import { createWorkstream, deliveryStatuses, insertAudience, rescheduleMilestone } from './fixtures';
import type { MailSinkOptions } from './mail-sink';
import { SmallStack } from './small-stack';
import { sql, until, WorkerProcess } from './stack';

/**
 * One event fanned out to an audience through real processes: a SmallStack with its worker (the
 * trial's own database, a clone of the migrated template; its own Redis on the redis backend or the
 * queue schema in that database; its own SMTP sink; the built API and worker) and the audience.
 */
export class FanoutRun extends SmallStack {
  /** Always started here (SmallStack's `worker: true`). */
  declare worker: WorkerProcess;
  audience = new Set<string>();
  /** Alerting events the trigger recorded: each recipient must get this many distinct messages. */
  perRecipient = 0;
  triggeredAt = 0;

  constructor(
    backend: QueueBackend,
    private readonly size: number,
    sinkOptions: MailSinkOptions = {},
    extraEnv: Record<string, string> = {},
  ) {
    super(backend, { worker: true, env: extraEnv, sink: sinkOptions });
  }

  get expected(): number {
    return this.size * this.perRecipient;
  }

  override async start(): Promise<void> {
    await super.start();
    for (const address of await insertAudience(this.db.url, this.size)) this.audience.add(address);
  }

  /** An editor reschedules a milestone the audience follows: one instant alert each. */
  async trigger(): Promise<void> {
    const ws = await createWorkstream(this.api.base, 'Patrol vessels for the Philippine Coast Guard');
    this.triggeredAt = Date.now();
    this.perRecipient = await rescheduleMilestone(this.api.base, this.db.url, ws.milestones[0].id, 260);
    if (this.perRecipient < 1) throw new Error('the reschedule recorded no alerting event');
  }

  delivered(): number {
    return this.sink.deliveredTo(this.audience, this.perRecipient);
  }

  async waitUntilReceived(count: number, timeoutMs: number): Promise<void> {
    await until(`${count} messages at the sink`, timeoutMs, async () => this.sink.received.length >= count);
  }

  /** Until every recipient has its messages and every alert row is `sent`; answers when the last arrived. */
  async waitUntilAllDelivered(timeoutMs: number): Promise<number> {
    await until(`${this.size} recipients × ${this.perRecipient} alerts (have ${this.delivered()})`, timeoutMs, async () => this.delivered() >= this.size);
    const at = Date.now();
    await until('every alert delivery row sent', 30_000, async () => {
      const s = await deliveryStatuses(this.db.url);
      return (s.sent ?? 0) >= this.expected && !s.queued;
    }).catch(() => undefined);
    return at;
  }

  /** Messages the sink accepted whose delivery row is not `sent`: the sends in flight (call once the worker is dead). */
  async acceptedButUnmarked(): Promise<number> {
    const ids = this.sink.received.map((m) => /^<([0-9a-f-]{36})@/.exec(m.messageId)?.[1]).filter((id): id is string => !!id);
    if (ids.length === 0) return 0;
    const [row] = await sql<{ n: number }>(this.db.url, `SELECT count(DISTINCT id)::int AS n FROM "Delivery" WHERE id = ANY($1::uuid[]) AND status <> 'sent'`, [ids]);
    return row.n;
  }

  /** The queue loses everything: FLUSHALL on the trial's Redis, or every job table of the PostgreSQL queue schema emptied. */
  async wipeQueue(): Promise<void> {
    if (this.redis) {
      const { default: Redis } = await import('ioredis');
      const client = new Redis(this.redis.url, { maxRetriesPerRequest: 1 });
      await client.flushall();
      client.disconnect();
      return;
    }
    const tables = await sql<{ name: string }>(
      this.db.url,
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
        WHERE schemaname NOT IN ('public', 'pg_catalog', 'information_schema') AND tablename NOT ILIKE '%migration%'`,
    );
    if (tables.length === 0) throw new Error('no queue tables found outside the public schema');
    await sql(this.db.url, `TRUNCATE ${tables.map((t) => t.name).join(', ')} CASCADE`);
  }
}
