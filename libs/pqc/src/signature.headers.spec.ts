import { describe, expect, it } from '@jest/globals';
import { signatureFromHeaders, signatureToHeaders } from './signature.headers.js';

describe('signature headers', () => {
  it('round-trips a detached signature through headers', () => {
    const signature = { alg: 'ML-DSA-65', kid: 'mldsa65:abc', sig: 'AAAA' } as const;
    const headers = new Map(Object.entries(signatureToHeaders(signature)));
    expect(signatureFromHeaders((name) => headers.get(name))).toEqual(signature);
  });

  it('gives undefined when a header is missing or names another algorithm', () => {
    expect(signatureFromHeaders(() => undefined)).toBeUndefined();
    const other = new Map([
      ['Mapek-Sig-Alg', 'Ed25519'],
      ['Mapek-Sig-Kid', 'k'],
      ['Mapek-Sig', 's'],
    ]);
    expect(signatureFromHeaders((name) => other.get(name))).toBeUndefined();
  });
});
