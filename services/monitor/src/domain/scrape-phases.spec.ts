import { describe, expect, it } from '@jest/globals';
import { nameHash } from './name-hash.js';
import { cameDue, scrapeOffsetMs } from './scrape-phases.js';

describe('scrape phases', () => {
  const names = Array.from({ length: 1000 }, (_, index) => `svc-${index}`);

  it('gives each target the same offset within the interval every time', () => {
    for (const name of names) {
      const offset = scrapeOffsetMs(name, 1000);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(1000);
      expect(scrapeOffsetMs(name, 1000)).toBe(offset);
    }
  });

  it('spreads a thousand targets over the interval: no tenth of it holds more than twice its share', () => {
    const tenths = new Array<number>(10).fill(0);
    for (const name of names) tenths[Math.floor(scrapeOffsetMs(name, 1000) / 100)]! += 1;
    expect(Math.max(...tenths)).toBeLessThan(200);
    expect(Math.min(...tenths)).toBeGreaterThan(50);
  });

  it('spreads the targets of one batch partition over the interval too', () => {
    const partitionZero = names.filter((name) => nameHash(name) % 8 === 0);
    const halves = [0, 0];
    for (const name of partitionZero) halves[scrapeOffsetMs(name, 1000) < 500 ? 0 : 1]! += 1;
    expect(Math.min(...halves)).toBeGreaterThan(partitionZero.length / 4);
  });

  it('finds a target due once in a span that holds its offset, however long the span', () => {
    expect(cameDue(250, 1000, 10_000, 10_249)).toBe(false);
    expect(cameDue(250, 1000, 10_000, 10_250)).toBe(true);
    expect(cameDue(250, 1000, 10_250, 10_300)).toBe(false);
    expect(cameDue(250, 1000, 10_249, 11_249)).toBe(true);
    expect(cameDue(250, 1000, 10_300, 15_000)).toBe(true);
    expect(cameDue(0, 1000, 9_999.5, 10_000)).toBe(true);
  });
});
