import { describe, expect, it } from '@jest/globals';
import { OutputTail } from './output-tail.js';

describe('OutputTail', () => {
  it('keeps only the most recent lines up to its capacity', () => {
    const tail = new OutputTail(3);
    for (const line of ['a', 'b', 'c', 'd', 'e']) tail.push(line);
    expect(tail.last()).toEqual(['c', 'd', 'e']);
  });

  it('returns the requested number of last lines, oldest first', () => {
    const tail = new OutputTail(10);
    for (const line of ['a', 'b', 'c']) tail.push(line);
    expect(tail.last(2)).toEqual(['b', 'c']);
  });
});
