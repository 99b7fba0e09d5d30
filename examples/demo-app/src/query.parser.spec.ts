import { describe, expect, it } from '@jest/globals';
import { QueryParamError } from './demo.errors.js';
import { numberParam, onlyParams } from './query.parser.js';

const rule = { min: 1, max: 100, fallback: 4, integer: true };

describe('numberParam', () => {
  it('falls back to the default when the parameter is absent', () => {
    expect(numberParam(new URLSearchParams(''), 'count', rule)).toBe(4);
  });

  it('reads a number within range', () => {
    expect(numberParam(new URLSearchParams('count=7'), 'count', rule)).toBe(7);
    expect(numberParam(new URLSearchParams('rate=0.25'), 'rate', { min: 0, max: 1, fallback: 0.5 })).toBe(0.25);
  });

  it.each([
    ['count=abc', 'is not a number'],
    ['count=', 'is not a number'],
    ['count=0x10', 'is not a number'],
    ['count=2.5', 'must be a whole number'],
    ['count=0', 'must be between 1 and 100'],
    ['count=101', 'must be between 1 and 100'],
    ['count=1&count=2', 'given more than once'],
  ])('rejects %s with a reason', (query, reason) => {
    expect(() => numberParam(new URLSearchParams(query), 'count', rule)).toThrow(QueryParamError);
    expect(() => numberParam(new URLSearchParams(query), 'count', rule)).toThrow(reason);
  });
});

describe('onlyParams', () => {
  it('rejects a parameter the endpoint does not know', () => {
    expect(() => onlyParams(new URLSearchParams('size_mb=1&cuont=2'), ['size_mb', 'count'])).toThrow('cuont: unknown parameter');
  });
});
