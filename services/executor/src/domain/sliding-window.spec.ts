import { describe, expect, it } from '@jest/globals';
import { admitAction, admitTarget } from './sliding-window.js';

describe('the blast-radius window', () => {
  const minute = 60_000;

  it('admits new targets until the limit, then refuses another one', () => {
    const first = admitTarget([], 'a', 1000, minute, 2);
    const second = admitTarget(first.next, 'b', 2000, minute, 2);
    const third = admitTarget(second.next, 'c', 3000, minute, 2);
    expect([first.allowed, second.allowed, third.allowed]).toEqual([true, true, false]);
    expect(third.count).toBe(2);
  });

  it('lets a target already in the window act again without counting it twice', () => {
    const full = [
      { target: 'a', at: 1000 },
      { target: 'b', at: 2000 },
    ];
    const again = admitTarget(full, 'a', 3000, minute, 2);
    expect(again.allowed).toBe(true);
    expect(again.next).toEqual([
      { target: 'b', at: 2000 },
      { target: 'a', at: 3000 },
    ]);
  });

  it('forgets targets older than the window', () => {
    const old = [
      { target: 'a', at: 1000 },
      { target: 'b', at: 2000 },
    ];
    const later = admitTarget(old, 'c', 1000 + minute, minute, 2);
    expect(later.allowed).toBe(true);
    expect(later.next.map((entry) => entry.target)).toEqual(['b', 'c']);
  });
});

describe('the per-effector window', () => {
  const hour = 3_600_000;

  it('admits actions until the limit within the hour', () => {
    expect(admitAction([1, 2], 3, hour, 3)).toEqual({ allowed: true, next: [1, 2, 3], count: 3 });
    expect(admitAction([1, 2, 3], 4, hour, 3)).toEqual({ allowed: false, next: [1, 2, 3], count: 3 });
  });

  it('admits again once the oldest action is an hour old', () => {
    expect(admitAction([1, 2, 3], 1 + hour, hour, 3).allowed).toBe(true);
  });
});
