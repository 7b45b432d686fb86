import { assertEveryJobHandledOnce, JobCatalogError } from './job-handler';
import { loadConfig } from '@pledgewatch/config';
import { checkJobId, checkSlot, JOB_CATALOG, JOB_NAMES, queueKeyPrefix, QUEUE_NAMES, webhookRetryDelay, webhookRetrySchedule } from './job-catalog';
import { redisOptions } from './redis-connection';

describe('job catalog', () => {
  it('gives every job a queue of the catalog, attempts, backoff and bounded retention', () => {
    for (const name of JOB_NAMES) {
      const { queue, options } = JOB_CATALOG[name];
      expect(QUEUE_NAMES).toContain(queue);
      expect(options.attempts).toBeGreaterThan(0);
      expect(options.backoff).toBeDefined();
      expect(options.removeOnComplete).toEqual(expect.objectContaining({ age: expect.any(Number) }));
      expect(options.removeOnFail).toEqual(expect.objectContaining({ age: expect.any(Number) }));
    }
    for (const queue of QUEUE_NAMES) {
      expect(queue).not.toContain(':');
    }
  });

  it('has a configured concurrency for exactly the jobs of the catalog', () => {
    const concurrency = loadConfig({}).jobConcurrency;
    expect(Object.keys(concurrency).sort()).toEqual([...JOB_NAMES].sort());
    for (const job of JOB_NAMES) expect(concurrency[job]).toBeGreaterThan(0);
  });

  it('hash-tags the key prefix so every queue key lands in one Redis Cluster slot', () => {
    expect(queueKeyPrefix('pw')).toBe('{pw}');
  });

  describe('webhook retries', () => {
    const MINUTE = 60_000;
    const defaults = loadConfig({}).webhooks;

    it('doubles from WEBHOOK_BACKOFF_MS and shortens the last delay so the final try falls at the end of the 24 h span', () => {
      expect(defaults).toMatchObject({ backoffMs: MINUTE, retrySpanMs: 24 * 60 * MINUTE, timeoutMs: 10_000 });
      const delays = webhookRetrySchedule(defaults);
      // 1, 2, 4, … 512 min, then what is left of the 24 h: 6 h 57 min (docs/api.md#webhooks writes these out).
      expect(delays.map((ms) => ms / MINUTE)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 417]);
      expect(delays.reduce((a, b) => a + b, 0)).toBe(defaults.retrySpanMs);
    });

    it('answers no delay once the span is over', () => {
      expect(webhookRetryDelay(3, 24 * 60 * MINUTE, defaults)).toBeNull();
      expect(webhookRetryDelay(1, 0, { backoffMs: 100, retrySpanMs: 3_000 })).toBe(100);
      expect(webhookRetryDelay(5, 1_500, { backoffMs: 100, retrySpanMs: 3_000 })).toBe(1_500);
    });

    it('reads WEBHOOK_RETRY_SPAN as a duration and refuses a bad one, naming it', () => {
      expect(loadConfig({ WEBHOOK_RETRY_SPAN: '90m' }).webhooks.retrySpanMs).toBe(90 * MINUTE);
      expect(() => loadConfig({ WEBHOOK_RETRY_SPAN: 'a day' })).toThrow(/WEBHOOK_RETRY_SPAN/);
      expect(() => loadConfig({ WEBHOOK_RETRY_SPAN: '60d' })).toThrow(/WEBHOOK_RETRY_SPAN/);
      expect(loadConfig({ NODE_ENV: 'production', LINK_SECRET: 'x'.repeat(32) }).outbound.allowLoopback).toBe(false);
    });
  });

  describe('check slots', () => {
    it('truncates a tick to the minute for a 5-field cron, so replicas a few ms apart agree', () => {
      const a = checkSlot(new Date('2026-11-28T07:00:00.004Z'), false);
      const b = checkSlot(new Date('2026-11-28T07:00:00.950Z'), false);
      expect(a).toEqual(b);
      expect(a).toEqual({ slot: '2026-11-28T07:00Z', asOf: new Date('2026-11-28T07:00:00Z') });
    });
    it('truncates to the second for a 6-field cron', () => {
      expect(checkSlot(new Date('2026-11-28T07:00:05.300Z'), true).slot).toBe('2026-11-28T07:00:05Z');
    });
    it('makes job ids BullMQ accepts (no ":")', () => {
      expect(checkJobId('2026-11-28T07:00Z')).toBe('check-2026-11-28T0700Z');
      expect(checkJobId('2026-11-28T07:00:05Z')).toBe('check-2026-11-28T070005Z');
    });
  });
});

describe('assertEveryJobHandledOnce', () => {
  const catalog = ['status.check', 'events.fanout'];

  it('accepts exactly one handler per job', () => {
    expect(() =>
      assertEveryJobHandledOnce(
        [
          { job: 'status.check', where: 'A.run' },
          { job: 'events.fanout', where: 'B.run' },
        ],
        catalog,
      ),
    ).not.toThrow();
  });

  it('names a job with no handler, one with two, and a handler for an unknown job', () => {
    const found = [
      { job: 'status.check', where: 'A.run' },
      { job: 'status.check', where: 'C.again' },
      { job: 'status.chekc', where: 'D.typo' },
    ];
    expect(() => assertEveryJobHandledOnce(found, catalog)).toThrow(JobCatalogError);
    expect(() => assertEveryJobHandledOnce(found, catalog)).toThrow(
      /"status\.check" has 2 handlers: A\.run, C\.again[\s\S]*"events\.fanout" has no handler[\s\S]*D\.typo handles "status\.chekc", which is not in the catalog/,
    );
  });
});

describe('redisOptions', () => {
  it('parses REDIS_URL with credentials, db and TLS', () => {
    expect(redisOptions('rediss://user:p%40ss@cache.example:6380/2', 'producer')).toMatchObject({
      host: 'cache.example',
      port: 6380,
      db: 2,
      username: 'user',
      password: 'p@ss',
      tls: {},
    });
  });
  it('lets workers wait out an outage and makes producers fail fast', () => {
    expect(redisOptions('redis://127.0.0.1:6379', 'worker')).toMatchObject({ maxRetriesPerRequest: null });
    expect(redisOptions('redis://127.0.0.1:6379', 'producer')).toMatchObject({ enableOfflineQueue: false });
  });
});
