import { describe, expect, it } from '@jest/globals';
import { DuplicateWindowMs, maxEventClockSkewMs } from '@mapek/contracts';
import { ConfigError } from './config.error.js';
import { loadConfig } from './config.loader.js';
import { commonConfig } from './common.config.js';
import { env } from './env.schemas.js';

const spec = {
  ...commonConfig(9000),
  MAPEK_DEMO_WINDOW_MS: { schema: env.integer(1000, 1), description: 'a window' },
  DATABASE_URL: { schema: env.url(undefined, ['postgres:']), description: 'database', sensitive: true },
};

describe('loadConfig', () => {
  it('applies defaults and coerces numbers and booleans', () => {
    const { values } = loadConfig(spec, { service: 'demo', env: { DATABASE_URL: 'postgres://u:p@h/db' } });
    expect(values.MAPEK_HTTP_PORT).toBe(9000);
    expect(values.MAPEK_DEMO_WINDOW_MS).toBe(1000);
    expect(values.NATS_URL).toBe('nats://127.0.0.1:4222');
  });

  it('refuses to start with a message naming every bad variable', () => {
    expect(() => loadConfig(spec, { service: 'demo', env: { MAPEK_HTTP_PORT: 'eighty', MAPEK_DEMO_WINDOW_MS: '0' } })).toThrow(ConfigError);
    try {
      loadConfig(spec, { service: 'demo', env: { MAPEK_HTTP_PORT: 'eighty', MAPEK_DEMO_WINDOW_MS: '0' } });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('MAPEK_HTTP_PORT');
      expect(message).toContain('MAPEK_DEMO_WINDOW_MS');
      expect(message).toContain('DATABASE_URL');
    }
  });

  it('refuses a clock skew longer than the shortest stream duplicate window, so a re-published copy is stale or de-duplicated', () => {
    expect(maxEventClockSkewMs).toBe(Math.min(...Object.values(DuplicateWindowMs)));
    const base = { DATABASE_URL: 'postgres://h/db' };
    expect(
      loadConfig(spec, { service: 'demo', env: { ...base, MAPEK_EVENT_CLOCK_SKEW_MS: String(maxEventClockSkewMs) } }).values
        .MAPEK_EVENT_CLOCK_SKEW_MS,
    ).toBe(maxEventClockSkewMs);
    expect(() =>
      loadConfig(spec, { service: 'demo', env: { ...base, MAPEK_EVENT_CLOCK_SKEW_MS: String(maxEventClockSkewMs + 1) } }),
    ).toThrow(/MAPEK_EVENT_CLOCK_SKEW_MS/);
  });

  it('rejects unknown variables under the service prefix', () => {
    expect(() =>
      loadConfig(spec, {
        service: 'demo',
        env: { DATABASE_URL: 'postgres://h/db', MAPEK_DEMO_WINDOW_MSS: '5' },
        ownedPrefix: 'MAPEK_DEMO_',
      }),
    ).toThrow(/MAPEK_DEMO_WINDOW_MSS is not a setting of demo/);
  });

  it('redacts secrets and passwords in URLs', () => {
    const { redacted } = loadConfig(spec, { service: 'demo', env: { DATABASE_URL: 'postgres://u:secret@h/db' } });
    expect(JSON.stringify(redacted)).not.toContain('secret');
  });
});
