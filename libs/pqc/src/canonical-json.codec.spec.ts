import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from './canonical-json.codec.js';
import { CanonicalJsonError } from './pqc.errors.js';

/** Canonical JSON the slow, obvious way: every object's keys sorted, every value written apart. */
function reference(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((element) => reference(element)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`);
  return `{${members.join(',')}}`;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'B', 'labels', 'metric', 'value', '9', '10', '0', 'é', 'z\u2028', '__proto__', 'scrapedAt', 'scrapeDurationMs', ''];
const STRINGS = ['', 'x', 'é\n"', '\\', '\u0001', '\ud800', '🚀', 'a\u2028b', 'GET'];
const NUMBERS = [0, -0, 1, -1.5, 0.1, 1e21, 1e-7, 123456789.123, Number.MAX_SAFE_INTEGER];

function generate(next: () => number, depth: number, sorted: boolean): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const kind = depth <= 0 ? Math.floor(next() * 4) : Math.floor(next() * 6);
  switch (kind) {
    case 0:
      return pick(STRINGS);
    case 1:
      return pick(NUMBERS);
    case 2:
      return pick([true, false, null]);
    case 3:
      return pick(STRINGS) + String(Math.floor(next() * 100));
    case 4:
      return Array.from({ length: Math.floor(next() * 4) }, () => generate(next, depth - 1, sorted));
    default: {
      let keys = [...new Set(Array.from({ length: Math.floor(next() * 5) }, () => pick(KEYS)))];
      if (sorted) keys = keys.sort();
      const record: Record<string, unknown> = next() < 0.1 ? (Object.create(null) as Record<string, unknown>) : {};
      for (const key of keys) {
        const member = next() < 0.1 ? undefined : generate(next, depth - 1, sorted);
        Object.defineProperty(record, key, { value: member, enumerable: true, writable: true, configurable: true });
      }
      return record;
    }
  }
}

describe('canonical JSON', () => {
  it.each([true, false])('is the obvious canonical form of thousands of generated values (keys inserted in order: %p)', (sorted) => {
    const next = random(sorted ? 1 : 2);
    for (let i = 0; i < 5000; i += 1) {
      const value = { data: generate(next, 4, sorted) };
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });

  it('writes an object with a toJSON, a Date or an inherited key as before, not as JSON.stringify would', () => {
    const inherited = Object.create({ inheritedKey: 1 }) as Record<string, unknown>;
    inherited['own'] = 2;
    expect(canonicalJson({ a: inherited })).toBe('{"a":{"own":2}}');
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson({ a: { toJSON: () => 1 } })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: [1, undefined] })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: { b: () => 1 } })).toThrow(CanonicalJsonError);
  });

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
