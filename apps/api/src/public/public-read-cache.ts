import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import pg from 'pg';
import { finalize, Observable, of, tap } from 'rxjs';
import { AppConfig } from '@pledgewatch/config';

/** The channel the database's triggers notify (migration 20261201184500_public_data_notify). */
export const PUBLIC_DATA_CHANNEL = 'pw_public_data';

/** Reconnect delays after the listening connection is lost: 0.5 s, doubling, at most 30 s. */
const RETRY = { baseMs: 500, maxMs: 30_000 };

/**
 * The public API's answers, kept per URL until the data under them changes. The database says when:
 * every statement that writes a table the public routes read fires a trigger that notifies
 * `pw_public_data` at commit — whichever process wrote (an editor through this or another API
 * replica, the worker's status check, psql) — and this process, listening on a connection of its
 * own, drops every answer it kept.
 *
 * An answer is kept only if no notification arrived while it was being computed (its generation is
 * still current): a query whose snapshot predates a commit never outlives that commit's
 * notification. Without a listening connection (not yet connected, or lost) nothing is kept or
 * served from memory: every request reads the database, as with PUBLIC_CACHE_ENTRIES=0.
 */
@Injectable()
export class PublicReadCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PublicReadCache.name);
  private readonly answers = new Map<string, unknown>();
  private generation = 0;
  private listening = false;
  private client: pg.Client | null = null;
  private retryMs = RETRY.baseMs;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly config: AppConfig) {}

  /** Listening, so kept answers can be trusted (never with PUBLIC_CACHE_ENTRIES=0: no listener then). */
  get enabled(): boolean {
    return this.listening;
  }

  onModuleInit(): void {
    if (this.config.publicCacheEntries > 0) void this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** The kept answer for this key, if any (and marks it most recently used). */
  get(key: string): unknown {
    if (!this.enabled || !this.answers.has(key)) return undefined;
    const answer = this.answers.get(key);
    this.answers.delete(key);
    this.answers.set(key, answer);
    return answer;
  }

  /** The generation to hand back to set(): taken before the answer is computed. */
  current(): number {
    return this.generation;
  }

  set(key: string, answer: unknown, generation: number): void {
    if (!this.enabled || generation !== this.generation) return;
    this.answers.set(key, answer);
    while (this.answers.size > this.config.publicCacheEntries) this.answers.delete(this.answers.keys().next().value!);
  }

  /** Drops every kept answer (a notification arrived, or this process has just written). */
  invalidate(): void {
    this.generation++;
    this.answers.clear();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl });
    const lost = (reason: string) => {
      if (this.client !== client) return;
      this.client = null;
      this.listening = false;
      this.invalidate();
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn(`public read cache off (${reason}); reconnecting in ${this.retryMs} ms`);
      this.retryTimer = setTimeout(() => void this.listen(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY.maxMs);
    };
    this.client = client;
    client.on('notification', () => this.invalidate());
    client.on('error', (error) => lost(error.message));
    client.on('end', () => lost('connection closed'));
    try {
      await client.connect();
      await client.query(`LISTEN ${PUBLIC_DATA_CHANNEL}`);
      if (this.client !== client) return;
      // Whatever changed while nobody listened: start from nothing.
      this.invalidate();
      this.listening = true;
      this.retryMs = RETRY.baseMs;
    } catch (error) {
      lost(error instanceof Error ? error.message : String(error));
    }
  }
}

/**
 * Every request that may write (any method but GET, HEAD, OPTIONS), on any route: once it is over,
 * this process drops its kept answers without waiting for the notification, so whoever wrote
 * through this replica reads their write at once. Other replicas hear of it from the database.
 */
@Injectable()
export class WritesInvalidateInterceptor implements NestInterceptor {
  constructor(private readonly cache: PublicReadCache) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { method } = context.switchToHttp().getRequest<Request>();
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next.handle();
    return next.handle().pipe(finalize(() => this.cache.invalidate()));
  }
}

/**
 * GET answers of a public JSON controller, from PublicReadCache: keyed by the whole URL (path and
 * query), so every filter, page and cursor is its own entry. Errors are never kept.
 */
@Injectable()
export class PublicReadCacheInterceptor implements NestInterceptor {
  constructor(private readonly cache: PublicReadCache) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    if (request.method !== 'GET') return next.handle();
    const key = request.originalUrl;
    const kept = this.cache.get(key);
    if (kept !== undefined) return of(kept);
    const generation = this.cache.current();
    return next.handle().pipe(tap((answer) => this.cache.set(key, answer, generation)));
  }
}
