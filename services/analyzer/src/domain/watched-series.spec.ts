import { describe, expect, it } from '@jest/globals';
import { StreamingDetector, defaultDetectorConfig } from '@mapek/anomaly';
import { defaultWatchedSeries, isAlarm, pickValues } from './watched-series.js';

const latency = defaultWatchedSeries.find((series) => series.metric === 'mapek_agent_request_latency_p95_seconds')!;

describe('watched series', () => {
  it('takes the worst value across label sets', () => {
    const values = pickValues(defaultWatchedSeries, [
      { metric: 'mapek_agent_connections_active', value: 3 },
      { metric: 'mapek_agent_connections_active', value: 7 },
      { metric: 'unrelated', value: 1e9 },
    ]);
    expect(values.get('mapek_agent_connections_active')).toBe(7);
    expect(values.has('unrelated')).toBe(false);
  });

  it('ignores anomalies below the floor and demands more of a series that was desensitised', () => {
    expect(isAlarm(latency, 0.05, 1, 0.3, 2)).toBe(false);
    expect(isAlarm(latency, 0.4, 0.35, 0.3, 2)).toBe(true);
    expect(isAlarm(latency, 0.4, 0.35, 0.3, 3)).toBe(false);
  });

  it('catches a latency creep well before the 3000 ms threshold', () => {
    const detector = new StreamingDetector({ ...defaultDetectorConfig, warmupSamples: 30 }, { min: latency.min, max: latency.max });
    let time = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 120; i++) detector.score(0.004 + (i % 5) * 0.001, (time += 1000));
    let caughtAt: number | undefined;
    for (let latencyMs = 100; latencyMs <= 3000 && caughtAt === undefined; latencyMs += 100) {
      const value = latencyMs / 1000;
      if (isAlarm(latency, value, detector.score(value, (time += 1000)), defaultDetectorConfig.alarmLevel, 2)) caughtAt = latencyMs;
    }
    expect(caughtAt).toBeDefined();
    expect(caughtAt!).toBeLessThan(3000);
  });
});
