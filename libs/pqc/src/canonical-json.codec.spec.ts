import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from './canonical-json.codec.js';
import { CanonicalJsonError } from './pqc.errors.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the same bytes whatever the insertion order', () => {
    expect(canonicalJson({ id: '1', type: 't', data: { x: 1, y: 2 } })).toBe(canonicalJson({ data: { y: 2, x: 1 }, type: 't', id: '1' }));
  });

  it('omits undefined members, so an absent optional field equals an explicit undefined', () => {
    expect(canonicalJson({ a: 1, incidentId: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('writes numbers and strings as ECMAScript JSON does (RFC 8785 compatible)', () => {
    expect(canonicalJson([1e21, 0.1, -0, 'é\n"'])).toBe('[1e+21,0.1,0,"é\\n\\""]');
  });

  it.each([[Number.NaN], [Infinity], [[undefined]], [10n], [new Uint8Array(1)], [() => 1]])(
    'rejects a value JSON cannot carry faithfully (%p)',
    (value) => {
      expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    },
  );

  it('names the path of the offending value', () => {
    expect(() => canonicalJson({ data: { samples: [1, { value: Number.NaN }] } })).toThrow('$.data.samples[1].value: non-finite number');
  });

  it('orders integer-like keys as strings and escapes like JSON.stringify', () => {
    expect(canonicalJson({ 10: 'a', 9: 'b', '\u2028': '\ud83d\ude00', '\ud800': 'x\u0001' })).toBe(
      `{"10":"a","9":"b",${JSON.stringify('\u2028')}:${JSON.stringify('\ud83d\ude00')},${JSON.stringify('\ud800')}:${JSON.stringify('x\u0001')}}`,
    );
  });

  it('agrees with a naive sorted JSON.stringify on random documents', () => {
    const naive = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(naive).join(',')}]`;
      if (value !== null && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        return `{${Object.keys(record)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${naive(record[k])}`)
          .join(',')}}`;
      }
      return JSON.stringify(value);
    };
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const atoms = ['', 'a"b', 'tab\t', 'é', '\u0000', 0, -1.5, 1e-7, 2 ** 53, true, false, null];
    const build = (depth: number): unknown => {
      const pick = random();
      if (depth === 0 || pick < 0.4) return atoms[Math.floor(random() * atoms.length)];
      if (pick < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => build(depth - 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, (_, i) => [`k${Math.floor(random() * 20)}${i}`, build(depth - 1)]),
      );
    };
    for (let i = 0; i < 200; i += 1) {
      const document = build(4);
      expect(canonicalJson(document)).toBe(naive(document));
    }
  });
});
