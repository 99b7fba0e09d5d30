import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@mapek/config';
import { batchLingerMs, monitorConfig } from './monitor.config.js';

const load = (env: Record<string, string>) => loadConfig(monitorConfig, { service: 'monitor', env }).values;

describe('the schedule of the scrapes and the linger of a sample batch', () => {
  it('spreads the scrapes by default, with a 250 ms linger; all at once, 50 ms', () => {
    const spread = load({});
    expect(spread.MAPEK_MONITOR_SPREAD_SCRAPES).toBe(true);
    expect(batchLingerMs(spread)).toBe(250);
    expect(batchLingerMs(load({ MAPEK_MONITOR_SPREAD_SCRAPES: 'false' }))).toBe(50);
  });

  it('takes the linger that is set, either way, and at most a quarter of the interval', () => {
    expect(batchLingerMs(load({ MAPEK_MONITOR_BATCH_LINGER_MS: '80' }))).toBe(80);
    expect(batchLingerMs(load({ MAPEK_MONITOR_SPREAD_SCRAPES: 'false', MAPEK_MONITOR_BATCH_LINGER_MS: '0' }))).toBe(0);
    expect(batchLingerMs(load({ MAPEK_SCRAPE_INTERVAL_MS: '400' }))).toBe(100);
  });

  it('refuses a linger that is not an integer from 0 to 1000', () => {
    for (const bad of ['-1', '1001', '2.5', 'soon'])
      expect(() => load({ MAPEK_MONITOR_BATCH_LINGER_MS: bad })).toThrow(/MAPEK_MONITOR_BATCH_LINGER_MS/);
  });
});
