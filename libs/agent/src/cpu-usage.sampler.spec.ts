import { describe, expect, it } from '@jest/globals';
import { type CpuReading, cpuPercent, CpuUsageSampler } from './cpu-usage.sampler.js';

const reading = (atMs: number, user: number, system = 0): CpuReading => ({ atMs, usage: { user, system } });

describe('cpuPercent', () => {
  it('is CPU time over wall time in percent, user and system together', () => {
    expect(cpuPercent(reading(0, 0), reading(1000, 300_000, 200_000))).toBe(50);
  });

  it('goes above 100 when several threads are busy', () => {
    expect(cpuPercent(reading(0, 0), reading(1000, 2_000_000))).toBe(200);
  });

  it('is zero when no time has passed', () => {
    expect(cpuPercent(reading(5, 0), reading(5, 1000))).toBe(0);
  });
});

describe('CpuUsageSampler', () => {
  it('measures from the newest reading at least one span old', () => {
    const readings = [reading(0, 0), reading(500, 0), reading(1000, 100_000), reading(1500, 1_000_000)];
    let next = 0;
    const sampler = new CpuUsageSampler({ spanMs: 1000, everyMs: 500, read: () => readings[next++] ?? reading(2000, 1_900_000) });
    sampler.start(); // keeps readings[0]
    sampler.stop();
    // No reading is a full span older than readings[1], so it falls back to the oldest one.
    expect(sampler.percent()).toBe(0);
    expect(sampler.percent()).toBe(10); // readings[2] against readings[0]
  });

  it('answers zero before it has any reading', () => {
    expect(new CpuUsageSampler({ read: () => reading(0, 0) }).percent()).toBe(0);
  });
});
