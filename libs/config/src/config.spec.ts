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
});
