import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RateLimit } from '@pledgewatch/config';
import { QueueBackend, within } from '@pledgewatch/queue';
import { DependencyUnavailableError, RateLimitedError } from '@pledgewatch/problems';
import { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';

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
      await within(1_500, limiter.consume(key));
    } catch (error) {
      if (error instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      throw new DependencyUnavailableError(this.backend.name === 'postgres' ? 'PostgreSQL' : 'Redis');
    }
  }
}
