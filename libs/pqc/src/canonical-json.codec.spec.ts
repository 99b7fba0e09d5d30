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

  it.each([[Number.NaN], [Infinity], [[undefined]], [10n], [new Uint8Array(1)], [() => 1]])('rejects a value JSON cannot carry faithfully (%p)', (value) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
  });
});
