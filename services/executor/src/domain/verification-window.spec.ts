import { describe, expect, it } from '@jest/globals';
import { OPENING_SLACK_MS, violationsBeforeSpan } from './verification-window.js';

describe('the span of violations before a remedy', () => {
  it('is the window right before the start when the execution started soon after its incident opened', () => {
    expect(violationsBeforeSpan(10_500, 3000, 10_000)).toEqual({ fromMs: 7500, toMs: 10_500 });
  });

  it('is the incident’s first window when the execution started later than one window after the incident opened', () => {
    expect(violationsBeforeSpan(25_000, 3000, 10_000)).toEqual({ fromMs: 10_000 - OPENING_SLACK_MS, toMs: 13_000 });
  });

  it('holds the symptom that opened the incident, observed a moment before the incident’s id was made', () => {
    const span = violationsBeforeSpan(25_000, 3000, 10_000);
    const openingSymptomObservedAt = 9_998;
    expect(openingSymptomObservedAt >= span.fromMs && openingSymptomObservedAt < span.toMs).toBe(true);
  });

  it('is the window right before the start for a manual command, which has no incident', () => {
    expect(violationsBeforeSpan(25_000, 3000)).toEqual({ fromMs: 22_000, toMs: 25_000 });
  });
});
