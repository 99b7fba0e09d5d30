import { describe, expect, it } from '@jest/globals';
import { runInNewContext } from 'node:vm';
import { escapeBeyondAscii } from './ascii-output.js';

/** The regular expression a piece of code binds to `name`. */
const evaluate = (code: string, name: string): RegExp => runInNewContext(`${code}\n${name}`) as RegExp;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Each generated line's segments as [generated column, source, line, column], absolute. */
function decode(mappings: string): number[][][] {
  const state = [0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    state[0] = 0;
    if (line === '') return [];
    return line.split(',').map((segment) => {
      const values: number[] = [];
      let result = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        result += (digit & 31) << shift;
        shift += 5;
        if ((digit & 32) === 0) {
          values.push(result & 1 ? -(result >> 1) : result >> 1);
          result = 0;
          shift = 0;
        }
      }
      return values.map((value, index) => (state[index] = (state[index] ?? 0) + value));
    });
  });
}

function encode(lines: number[][][]): string {
  const state = [0, 0, 0, 0];
  const vlq = (value: number): string => {
    let rest = value < 0 ? (-value << 1) | 1 : value << 1;
    let text = '';
    do {
      let digit = rest & 31;
      rest >>= 5;
      if (rest > 0) digit |= 32;
      text += BASE64[digit];
    } while (rest > 0);
    return text;
  };
  return lines
    .map((segments) => {
      state[0] = 0;
      return segments
        .map((segment) =>
          segment
            .map((value, index) => {
              const delta = value - (state[index] ?? 0);
              state[index] = value;
              return vlq(delta);
            })
            .join(''),
        )
        .join(',');
    })
    .join(';');
}

describe('escapeBeyondAscii', () => {
  it('escapes what is beyond ASCII in a regular expression and a comment, and means the same', () => {
    const code = 'const unit=/(ns|µs|ms)/g;\n/*! Jimmy Wärting */\n';
    const { code: escaped } = escapeBeyondAscii(code, { version: 3, mappings: 'AAAA;;' });
    expect(escaped).toBe('const unit=/(ns|\\u00b5s|ms)/g;\n/*! Jimmy W\\u00e4rting */\n');
    const original = evaluate(code, 'unit');
    const ascii = evaluate(escaped, 'unit');
    for (const text of ['5µs', '5ms', '5us']) expect(ascii.exec(text)?.[0]).toBe(original.exec(text)?.[0]);
  });

  it('escapes a character beyond the basic plane as its two code units, which a u-flag expression reads as one', () => {
    const { code } = escapeBeyondAscii('const r=/^😀$/u;', { version: 3, mappings: '' });
    expect(code).toBe('const r=/^\\ud83d\\ude00$/u;');
    expect(evaluate(code, 'r').test('😀')).toBe(true);
  });

  it('turns an identity escape of such a character into one escape, not an escaped backslash', () => {
    const { code } = escapeBeyondAscii('const r=/\\µ/;', { version: 3, mappings: '' });
    expect(code).toBe('const r=/\\u00b5/;');
    expect(evaluate(code, 'r').test('µ')).toBe(true);
  });

  it('moves the mappings after each escape on its line by the characters it added, and no other', () => {
    // Line 0: `a=/µ/;b=1;c=/µ/;d=2` with mappings at the columns of a, b, c and d; line 1 has one.
    const code = 'a=/µ/;b=1;c=/µ/;d=2\nok=1';
    const lines = [
      [
        [0, 0, 0, 0],
        [6, 0, 1, 0],
        [10, 0, 2, 0],
        [16, 0, 3, 4],
      ],
      [[0, 0, 4, 0]],
    ];
    const { code: escaped, map } = escapeBeyondAscii(code, { version: 3, mappings: encode(lines) });
    const [first, second] = escaped.split('\n');
    const moved = decode(map.mappings);
    expect(moved[0]?.map((segment) => segment[0])).toEqual([0, 11, 15, 26]);
    for (const [index, segment] of (moved[0] ?? []).entries()) expect(first?.[segment[0] ?? -1]).toBe('abcd'[index]);
    expect(moved[0]?.map((segment) => segment.slice(1))).toEqual(lines[0]?.map((segment) => segment.slice(1)));
    expect(moved[1]).toEqual(lines[1]);
    expect(second).toBe('ok=1');
  });

  it('gives back ASCII code and its map untouched', () => {
    const map = { version: 3, mappings: 'AAAA,CAAC' };
    expect(escapeBeyondAscii('a=1', map)).toEqual({ code: 'a=1', map });
  });
});
