import type { Job } from 'bullmq';
import { JOB_NAMES, JobName, JobPayload } from './job-catalog';

export const JOB_HANDLER = Symbol('JOB_HANDLER');

export type JobHandlerFn<N extends JobName> = (payload: JobPayload<N>, job: Job<JobPayload<N>>) => Promise<unknown>;

/**
 * Marks a provider method as the handler of one job name. The payload type follows from the name,
 * so a handler cannot silently take the wrong payload.
 */
export function JobHandler<N extends JobName>(name: N) {
  return <F extends JobHandlerFn<N>>(_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<F>): void => {
    Reflect.defineMetadata(JOB_HANDLER, name, descriptor.value as object);
  };
}

/**
 * Thrown by a handler whose job cannot run yet for a reason shared by every worker (the mail send
 * rate, a provider's throttling): the job goes back to the queue without counting an attempt, and
 * the queue hands out no job for `delayMs` (BullMQ's rateLimit + RateLimitError; see JobWorkers).
 */
export class RetryLaterError extends Error {
  constructor(
    readonly delayMs: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'RetryLaterError';
  }
}

export interface FoundHandler {
  job: string;
  /** `ClassName.method`, for the error message. */
  where: string;
}

export class JobCatalogError extends Error {
  constructor(problems: string[]) {
    super(`Job handlers do not match the job catalog (libs/queue/src/job-catalog.ts):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'JobCatalogError';
  }
}

/** Every catalog job has exactly one handler, and every handler names a catalog job (checked at boot). */
export function assertEveryJobHandledOnce(found: FoundHandler[], catalog: readonly string[] = JOB_NAMES): void {
  const problems: string[] = [];
  for (const job of catalog) {
    const handlers = found.filter((handler) => handler.job === job);
    if (handlers.length === 0) problems.push(`"${job}" has no handler`);
    if (handlers.length > 1) problems.push(`"${job}" has ${handlers.length} handlers: ${handlers.map((h) => h.where).join(', ')}`);
  }
  for (const handler of found) {
    if (!catalog.includes(handler.job)) problems.push(`${handler.where} handles "${handler.job}", which is not in the catalog`);
  }
  if (problems.length) throw new JobCatalogError(problems);
}
