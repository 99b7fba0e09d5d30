import { describe, expect, it } from '@jest/globals';
import { byCodeUnits } from './code-unit-order.js';

describe('byCodeUnits', () => {
  it('orders by UTF-16 code units, whatever the locale would say', () => {
    expect(['b', 'a', 'B', 'ä', 'a-2', 'a-10'].sort(byCodeUnits)).toEqual(['B', 'a', 'a-10', 'a-2', 'b', 'ä']);
    expect(byCodeUnits('same', 'same')).toBe(0);
  });
});
