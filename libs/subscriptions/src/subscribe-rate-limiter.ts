import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { QueueBackend } from '@pledgewatch/queue';
import { DependencyUnavailableError, RateLimitedError } from '@pledgewatch/problems';
import { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/**
 * Subscribing sends an email to an address the caller merely claims, so it is limited per client
 * and per address: enough for a person who mistyped, too little to mail-bomb anyone.
 */
export const SUBSCRIBE_LIMITS = {
  perIp: { limit: 5, windowSeconds: 60 },
  perAddress: { limit: 3, windowSeconds: 60 * 60 },
} satisfies Record<string, RateLimit>;

/**
 * Fixed-window counters (rate-limiter-flexible) in the queues' store, shared by every API process:
 * Redis or Redis Cluster (keys `<QUEUE_PREFIX>:ratelimit:<scope>:{<hash>}`, one hash tag per key,
 * each an atomic single-key script) or, on the PostgreSQL queue backend, a `rate_limits` table in
 * the queue schema. Addresses are hashed: the store never holds who subscribes. If it is
 * unreachable the caller gets a 503 within about a second, never a 500 or a hang.
 */
@Injectable()
export class SubscribeRateLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly backend: QueueBackend) {}

  /** Counts one request against `scope`/`id`; throws 429 with the seconds until the window resets. */
  async consume(scope: string, id: string, { limit, windowSeconds }: RateLimit): Promise<void> {
    const name = `${scope}:${limit}/${windowSeconds}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = this.backend.rateLimiter({ name: scope, points: limit, durationSeconds: windowSeconds });
      this.limiters.set(name, limiter);
    }
    const key = `{${createHash('sha256').update(id).digest('base64url').slice(0, 32)}}`;
    try {
      await withDeadline(limiter.consume(key), 1_500);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      throw new DependencyUnavailableError(this.backend.name === 'postgres' ? 'PostgreSQL' : 'Redis');
    }
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
