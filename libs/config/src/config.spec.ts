import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.healthWindows).toEqual({ warningDays: 14, graceDays: 7, stallDays: 180 });
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x' });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/REDIS_URL/);
    }
  });

  it('reads MAIL_RATE_PER_SECOND as a positive number of messages a second, unlimited when unset', () => {
    expect(loadConfig({}).mailRatePerSecond).toBeNull();
    expect(loadConfig({ MAIL_RATE_PER_SECOND: '14' }).mailRatePerSecond).toBe(14);
    expect(loadConfig({ MAIL_RATE_PER_SECOND: '0.5' }).mailRatePerSecond).toBe(0.5);
    for (const bad of ['0', '-3', 'fast', '1000000']) {
      expect(() => loadConfig({ MAIL_RATE_PER_SECOND: bad })).toThrow(/MAIL_RATE_PER_SECOND/);
    }
  });

  it('batches fan-out sends EMAIL_SEND_BATCH_SIZE at a time (20), one job each under MAIL_RATE_PER_SECOND', () => {
    expect(loadConfig({}).emailSendBatchSize).toBe(20);
    expect(loadConfig({ EMAIL_SEND_BATCH_SIZE: '50' }).emailSendBatchSize).toBe(50);
    expect(loadConfig({ EMAIL_SEND_BATCH_SIZE: '50', MAIL_RATE_PER_SECOND: '14' }).emailSendBatchSize).toBe(1);
    for (const bad of ['0', '501', 'many']) {
      expect(() => loadConfig({ EMAIL_SEND_BATCH_SIZE: bad })).toThrow(/EMAIL_SEND_BATCH_SIZE/);
    }
  });

  it('trims a trailing slash from the public base URL', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://pledgewatch.example/' }).publicBaseUrl).toBe('https://pledgewatch.example');
  });

  it('requires LINK_SECRET in production, and a dev default elsewhere', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/LINK_SECRET: required/);
    expect(() => loadConfig({ LINK_SECRET: 'short' })).toThrow(/LINK_SECRET: must be at least 32 characters/);
    const secret = 'x'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', LINK_SECRET: secret })).toMatchObject({ linkSecret: secret, linkSecretIsDevDefault: false });
    expect(loadConfig({ NODE_ENV: 'test' }).linkSecretIsDevDefault).toBe(true);
  });

  it('turns LOG_LEVEL into that level and every more severe one', () => {
    expect(loadConfig({}).logLevels).toEqual(['error', 'warn', 'log']);
    expect(loadConfig({ LOG_LEVEL: 'error' }).logLevels).toEqual(['error']);
    expect(loadConfig({ LOG_LEVEL: 'verbose' }).logLevels).toEqual(['error', 'warn', 'log', 'debug', 'verbose']);
    expect(() => loadConfig({ LOG_LEVEL: 'chatty' })).toThrow(/LOG_LEVEL/);
  });

  it('puts the queues on Redis when one is named, else on PostgreSQL; QUEUE_BACKEND decides when set', () => {
    expect(loadConfig({}).queueBackend).toBe('postgres');
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379' }).queueBackend).toBe('redis');
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000' }).queueBackend).toBe('redis');
    expect(loadConfig({ QUEUE_BACKEND: 'redis' })).toMatchObject({ queueBackend: 'redis', redisUrl: 'redis://127.0.0.1:6379' });
    expect(loadConfig({ QUEUE_BACKEND: 'postgres', REDIS_URL: 'redis://cache:6379' }).queueBackend).toBe('postgres');
    expect(() => loadConfig({ QUEUE_BACKEND: 'kafka' })).toThrow(/QUEUE_BACKEND/);
  });

  it('reads REDIS_CLUSTER_NODES as seed nodes, with credentials and TLS from a URL, and names what is wrong', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, rediss://app:s%40cret@10.0.0.2:7001,[::1]:7002' }).redisCluster).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      username: 'app',
      password: 's@cret',
      tls: true,
    });
    expect(loadConfig({}).redisCluster).toBeNull();
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(/REDIS_CLUSTER_NODES: "10\.0\.0\.1" needs a host and a port/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'http://10.0.0.1:7000' })).toThrow(/REDIS_CLUSTER_NODES: .*only redis:\/\/ or rediss:\/\//);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000/2' })).toThrow(/no database number/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: ' , ' })).toThrow(/at least one node/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_URL: 'redis://cache:6379' })).toThrow(/not both/);
  });

  it('reads TRUST_PROXY as a hop count, false, or addresses, CIDRs and names; refuses true and junk', () => {
    expect(loadConfig({}).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.7 ,loopback,fd00::/8' }).trustProxy).toEqual(['10.0.0.0/8', '192.0.2.7', 'loopback', 'fd00::/8']);
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example', '11', '1.2.3.4/8/1', ',']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });

  it('reads LINK_TTL_DAYS (90) and QUEUE_DASHBOARD (read-only)', () => {
    expect(loadConfig({})).toMatchObject({ linkTtlDays: 90, queueDashboard: 'read-only' });
    expect(loadConfig({ LINK_TTL_DAYS: '7', QUEUE_DASHBOARD: 'full' })).toMatchObject({ linkTtlDays: 7, queueDashboard: 'full' });
    for (const bad of ['0', 'forever', '4000']) expect(() => loadConfig({ LINK_TTL_DAYS: bad })).toThrow(/LINK_TTL_DAYS/);
    expect(() => loadConfig({ QUEUE_DASHBOARD: 'yes' })).toThrow(/QUEUE_DASHBOARD/);
  });
});
