import { describe, expect, it } from '@jest/globals';
import { admits, closedBreaker, recordResult } from './circuit-breaker.js';
import { classifyOutcome } from './outcome-classifier.js';

describe('outcome classification', () => {
  it('calls it success when the violations are gone', () => expect(classifyOutcome(5, 0)).toBe('success'));
  it('calls it partial at half or fewer', () => expect(classifyOutcome(10, 5)).toBe('partial'));
  it('calls it ineffective above half', () => expect(classifyOutcome(10, 6)).toBe('ineffective'));
  it('calls it degradation when there are more', () => expect(classifyOutcome(2, 3)).toBe('degradation'));
  it('calls it unknown with nothing to compare', () => expect(classifyOutcome(0, 0)).toBe('unknown'));
});

describe('circuit breaker', () => {
  it('opens after the threshold, refuses until the reset time, then lets one trial through', () => {
    let breaker = closedBreaker;
    for (let i = 0; i < 3; i++) breaker = recordResult(breaker, false, 1000, 3);
    expect(breaker.state).toBe('open');
    expect(admits(breaker, 1500, 1000).allowed).toBe(false);
    const trial = admits(breaker, 2000, 1000);
    expect(trial.allowed).toBe(true);
    expect(trial.next.state).toBe('half_open');
    expect(recordResult(trial.next, false, 2001, 3).state).toBe('open');
    expect(recordResult(trial.next, true, 2001, 3).state).toBe('closed');
  });
});
