import { createHash } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig, RateLimit } from '@pledgewatch/config';
import { DependencyUnavailableError, RateLimitedError } from '@pledgewatch/problems';

/**
 * Fixed-window counters in Redis (SET NX EX + INCR + TTL in one MULTI on one key), shared by every
 * API process. Keys: `<QUEUE_PREFIX>:ratelimit:{<scope>:<id>}` — one hash tag per key, so each
 * MULTI stays in one Redis Cluster slot. Addresses are hashed: Redis never holds who subscribes.
 * If Redis is unreachable the caller gets a 503 within about a second, never a 500 or a hang.
 */
@Injectable()
export class SubscribeRateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(SubscribeRateLimiter.name);
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(config: AppConfig) {
    this.prefix = config.queuePrefix;
    this.redis = new Redis(config.redisUrl, {
      connectionName: 'pledgewatch-ratelimit',
      lazyConnect: true, // connects on first use: a process that never subscribes anyone holds no connection
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    let reported = false;
    this.redis.on('error', (error) => {
      if (!reported) this.logger.warn(`Redis unreachable for rate limits (subscribe answers 503): ${error.message}`);
      reported = true;
    });
    this.redis.on('ready', () => (reported = false));
  }

  /** Counts one request against `scope`/`id`; throws 429 with the seconds until the window resets. */
  async consume(scope: string, id: string, { limit, windowSeconds }: RateLimit): Promise<void> {
    const key = `${this.prefix}:ratelimit:{${scope}:${createHash('sha256').update(id).digest('base64url').slice(0, 32)}}`;
    let result: [error: Error | null, value: unknown][] | null;
    try {
      result = await this.redis.multi().set(key, 0, 'EX', windowSeconds, 'NX').incr(key).ttl(key).exec();
    } catch {
      throw new DependencyUnavailableError('Redis');
    }
    if (!result || result.some(([error]) => error)) throw new DependencyUnavailableError('Redis');
    const count = Number(result[1][1]);
    if (count > limit) {
      const ttl = Number(result[2][1]);
      throw new RateLimitedError(ttl > 0 ? ttl : windowSeconds);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }
}
