import { describe, expect, it } from '@jest/globals';
import { symptomState, verifiedBy, type SeenSymptom } from './symptom-state.js';

const memory = (at: number, source: SeenSymptom['source'] = 'threshold'): SeenSymptom => ({
  at,
  source,
  metric: 'process_resident_memory_bytes',
});

describe('whether a symptom is still active before a step', () => {
  it('is active while a scraped rule keeps reporting it', () => {
    expect(symptomState([memory(1000), memory(9500)], 10_000, 2000).active).toBe(true);
  });

  it('is gone when the scraped rule has been quiet longer than the staleness window', () => {
    const state = symptomState([memory(1000), memory(5000)], 10_000, 2000);
    expect(state.active).toBe(false);
    expect(state.detail).toContain('5000 ms ago');
  });

  it('is gone when nothing of its kind was seen since the incident opened', () => {
    expect(symptomState([], 10_000, 2000)).toEqual({ active: false, detail: 'gone: no symptom of this kind since the incident opened' });
  });

  it('keeps an alert active however long ago it fired, since Alertmanager does not repeat it every scrape', () => {
    expect(symptomState([memory(1000, 'alert')], 600_000, 2000).active).toBe(true);
  });
});

describe('which symptoms judge a remedy', () => {
  const health: SeenSymptom = { at: 1, source: 'health', metric: 'probe_success' };
  const threshold: SeenSymptom = { at: 2, source: 'threshold', metric: 'process_resident_memory_bytes' };

  it('counts only failing probes when every acting step is verified by its probes', () => {
    expect([health, threshold].filter(verifiedBy(['probe', 'probe']))).toEqual([health]);
  });

  it('counts every symptom of the kind when any step is verified by its symptom clearing, or none declares it', () => {
    expect([health, threshold].filter(verifiedBy(['probe', 'symptom_cleared']))).toEqual([health, threshold]);
    expect([health, threshold].filter(verifiedBy([undefined]))).toEqual([health, threshold]);
    expect([health, threshold].filter(verifiedBy([]))).toEqual([health, threshold]);
  });
});
