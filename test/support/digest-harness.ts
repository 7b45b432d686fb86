import type { INestApplicationContext } from '@nestjs/common';
import type { ParsedMail } from 'mailparser';
import type { PrismaClient } from '@pledgewatch/database';
import { digestJobId, JobQueues, JOBS, QUEUES } from '@pledgewatch/queue';
import { eventually, settle } from './alerts-harness';
import { factories, SubscriberSpec } from './factories';

export type DigestSubscriberSpec = SubscriberSpec & { email: string };

/** A subscriber confirmed long before any slot a test runs, weekly digest on, instant alerts off (the worker's outbox relay would otherwise email instant alerts for the test's events). */
export function digestSubscriber(prisma: PrismaClient, spec: DigestSubscriberSpec) {
  return factories(prisma).subscriber({
    alerts: false,
    confirmedAt: new Date('2026-01-01T00:00:00Z'),
    unsubscribedAt: new Date('2026-02-01T00:00:00Z'),
    topics: [{ countryCode: 'PH' }],
    // A key given as undefined keeps the default, as it did before.
    ...(Object.fromEntries(Object.entries(spec).filter(([, value]) => value !== undefined)) as DigestSubscriberSpec),
  });
}

/**
 * Runs the hourly digest job for a slot through the worker, as the cron would enqueue it, and waits
 * until it has finished. `rerun` gives the job a fresh id: the same slot processed again, as after
 * a retry or a replica that missed the first job's completion.
 */
export async function runDigestSlot(worker: INestApplicationContext, slotIso: string, rerun = ''): Promise<unknown> {
  const slot = new Date(slotIso);
  const jobId = `${digestJobId(slot)}${rerun ? `-${rerun}` : ''}`;
  const jobs = worker.get(JobQueues);
  await jobs.add(JOBS.digestRun, { payload: { slot: slot.toISOString() }, jobId });
  const queue = jobs.queue(QUEUES.digest);
  await eventually(
    async () => {
      const state = await queue.getJobState(jobId);
      if (state === 'failed') throw new Error(`digest.run ${jobId} failed: ${(await queue.getJob(jobId))?.failedReason}`);
      return state === 'completed';
    },
    15_000,
    `digest.run ${jobId}`,
  );
  return (await queue.getJob(jobId))?.returnvalue;
}

export const addressOf = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value[0]?.address ?? '?';

/** Waits until the sink holds `count` messages to `address`, gives stragglers a moment, answers them. */
export async function mailsTo(sink: { messages: ParsedMail[] }, address: string, count: number, timeoutMs = 10_000): Promise<ParsedMail[]> {
  const mine = () => sink.messages.filter((m) => addressOf(m) === address);
  if (count > 0) await eventually(async () => mine().length >= count, timeoutMs, `${count} email(s) to ${address}`);
  await settle();
  return mine();
}
