import { describe, expect, it } from '@jest/globals';
import { concatBytes } from './bytes.codec.js';
import { decodePkcs8PrivateKey, encodePkcs8PrivateKey, Pkcs8Form, type Pkcs8PrivateKey, secretKeyOf } from './pkcs8.codec.js';
import { mlDsa65Pkcs8Vector, mlKem768Pkcs8Vector, type Pkcs8Vector } from './pkcs8.vectors.js';
import { PrivateKeyError, type PrivateKeyErrorCode } from './pqc.errors.js';
import type { LatticeAlgorithmId } from './private-key.forms.js';

/** DER TLV with a definite length (test inputs are small enough for two length bytes). */
function der(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  const body = concatBytes(...parts);
  const n = body.length;
  return concatBytes(Uint8Array.of(tag, ...(n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff])), body);
}

const oids = {
  mlDsa65: Uint8Array.of(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12),
  mlKem768: Uint8Array.of(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x02),
  mlDsa44: Uint8Array.of(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11),
  mlKem1024: Uint8Array.of(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x03),
  rsaEncryption: Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01),
};

/** A OneAsymmetricKey from its parts; `privateKey` is the content of the privateKey OCTET STRING. */
function oneAsymmetricKey(options: {
  version?: number;
  oid: Uint8Array;
  parameters?: Uint8Array;
  privateKey: Uint8Array;
  after?: readonly Uint8Array[];
}): Uint8Array {
  return der(
    0x30,
    der(0x02, Uint8Array.of(options.version ?? 0)),
    der(0x30, der(0x06, options.oid), ...(options.parameters ? [options.parameters] : [])),
    der(0x04, options.privateKey),
    ...(options.after ?? []),
  );
}

const cases: readonly { algorithm: LatticeAlgorithmId; vector: Pkcs8Vector; seedLength: number; expandedLength: number }[] = [
  { algorithm: 'mlDsa65', vector: mlDsa65Pkcs8Vector, seedLength: 32, expandedLength: 4032 },
  { algorithm: 'mlKem768', vector: mlKem768Pkcs8Vector, seedLength: 64, expandedLength: 2400 },
];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function refusal(input: Uint8Array | (() => unknown)): PrivateKeyError {
  try {
    if (typeof input === 'function') input();
    else decodePkcs8PrivateKey(input);
  } catch (error) {
    expect(error).toBeInstanceOf(PrivateKeyError);
    return error as PrivateKeyError;
  }
  throw new Error('expected a PrivateKeyError');
}

function expectRefused(input: Uint8Array | (() => unknown), code: PrivateKeyErrorCode, message?: RegExp): void {
  const error = refusal(input);
  expect(error.code).toBe(code);
  expect(error.retryable).toBe(false);
  if (message) expect(error.message).toMatch(message);
}

describe.each(cases)('PKCS#8 $algorithm private keys', ({ algorithm, vector, seedLength, expandedLength }) => {
  const seed = Uint8Array.from({ length: seedLength }, (_, i) => i);
  const expanded = vector.both.subarray(-expandedLength);

  it('reads the seed form: the seed, nothing else', () => {
    const key = decodePkcs8PrivateKey(vector.seed);
    expect(key).toEqual({ algorithm, form: Pkcs8Form.seed, seed });
    expect(secretKeyOf(key)).toEqual(seed);
  });

  it('reads the expandedKey form: the expanded key, nothing else', () => {
    const key = decodePkcs8PrivateKey(vector.expandedKey);
    expect(key).toEqual({ algorithm, form: Pkcs8Form.expandedKey, expandedKey: expanded });
    expect(secretKeyOf(key)).toEqual(expanded);
  });

  it('reads the both form OpenSSL 3.5.8 wrote: seed and expanded key, checked against each other', () => {
    const key = decodePkcs8PrivateKey(vector.both);
    expect(key).toEqual({ algorithm, form: Pkcs8Form.both, seed, expandedKey: expanded });
    expect(secretKeyOf(key)).toEqual(seed);
  });

  it.each([Pkcs8Form.seed, Pkcs8Form.expandedKey, Pkcs8Form.both])('writes the %s form exactly as OpenSSL 3.5.8 did', (form) => {
    expect(hex(encodePkcs8PrivateKey(decodePkcs8PrivateKey(vector[form])))).toBe(hex(vector[form]));
  });

  it('accepts attributes, and a v2 publicKey that belongs to the key', () => {
    const attributes = der(0xa0, der(0x30, der(0x06, Uint8Array.of(0x2a, 0x03)), der(0x31, der(0x05, new Uint8Array(0)))));
    const publicKey = der(0x81, Uint8Array.of(0), vector.publicKey);
    for (const [privateKey, secretKey] of [
      [der(0x80, seed), seed],
      [der(0x04, expanded), expanded],
    ] as const) {
      const key = oneAsymmetricKey({ version: 1, oid: oids[algorithm], privateKey, after: [attributes, publicKey] });
      expect(secretKeyOf(decodePkcs8PrivateKey(key))).toEqual(secretKey);
    }
  });

  describe('refuses, with a PrivateKeyError whose code says why,', () => {
    it('input that is not DER or not a OneAsymmetricKey', () => {
      expectRefused(new Uint8Array(0), 'private_key_malformed', /truncated/);
      expectRefused(vector.both.subarray(0, vector.both.length - 1), 'private_key_malformed', /truncated/);
      expectRefused(concatBytes(vector.seed, Uint8Array.of(0)), 'private_key_malformed', /bytes follow/);
      expectRefused(Uint8Array.from([0x31, ...vector.seed.subarray(1)]), 'private_key_malformed', /expected 0x30/);
      expectRefused(Uint8Array.from([0x30, 0x80, ...vector.seed.subarray(2), 0, 0]), 'private_key_malformed', /indefinite length/);
      expectRefused(Uint8Array.from([0x30, 0x81, ...vector.seed.subarray(1)]), 'private_key_malformed', /shortest form/);
      expectRefused(
        oneAsymmetricKey({ version: 2, oid: oids[algorithm], privateKey: der(0x80, seed) }),
        'private_key_malformed',
        /version/,
      );
    });

    it('a privateKey that is none of the three forms', () => {
      expectRefused(oneAsymmetricKey({ oid: oids[algorithm], privateKey: seed }), 'private_key_malformed');
      expectRefused(
        oneAsymmetricKey({ oid: oids[algorithm], privateKey: der(0x81, seed) }),
        'private_key_malformed',
        /none of seed \[0\], expandedKey, both/,
      );
      expectRefused(
        oneAsymmetricKey({ oid: oids[algorithm], privateKey: concatBytes(der(0x80, seed), Uint8Array.of(0)) }),
        'private_key_malformed',
      );
      expectRefused(oneAsymmetricKey({ oid: oids[algorithm], privateKey: der(0x30, der(0x04, seed)) }), 'private_key_malformed', /missing/);
      expectRefused(
        oneAsymmetricKey({ oid: oids[algorithm], privateKey: der(0x30, der(0x80, seed), der(0x04, expanded)) }),
        'private_key_malformed',
      );
    });

    it('another algorithm, or parameters in the AlgorithmIdentifier', () => {
      expectRefused(
        oneAsymmetricKey({ oid: oids.mlDsa44, privateKey: der(0x80, seed) }),
        'private_key_unsupported_algorithm',
        /2\.16\.840\.1\.101\.3\.4\.3\.17/,
      );
      expectRefused(
        oneAsymmetricKey({ oid: oids.mlKem1024, privateKey: der(0x80, seed) }),
        'private_key_unsupported_algorithm',
        /2\.16\.840\.1\.101\.3\.4\.4\.3/,
      );
      expectRefused(
        oneAsymmetricKey({ oid: oids.rsaEncryption, privateKey: der(0x80, seed) }),
        'private_key_unsupported_algorithm',
        /1\.2\.840\.113549\.1\.1\.1/,
      );
      expectRefused(
        oneAsymmetricKey({ oid: oids[algorithm], parameters: der(0x05, new Uint8Array(0)), privateKey: der(0x80, seed) }),
        'private_key_unsupported_algorithm',
        /parameters/,
      );
    });

    it('a seed or expanded key of the wrong size, in every form', () => {
      const shortSeed = seed.subarray(1);
      const shortExpanded = expanded.subarray(1);
      expectRefused(
        oneAsymmetricKey({ oid: oids[algorithm], privateKey: der(0x80, shortSeed) }),
        'private_key_wrong_size',
        new RegExp(`seed must be ${seedLength} bytes, got ${seedLength - 1}`),
      );
      expectRefused(
        oneAsymmetricKey({ oid: oids[algorithm], privateKey: der(0x04, shortExpanded) }),
        'private_key_wrong_size',
        new RegExp(`expandedKey must be ${expandedLength} bytes`),
      );
      expectRefused(
        oneAsymmetricKey({ oid: oids[algorithm], privateKey: der(0x30, der(0x04, shortSeed), der(0x04, expanded)) }),
        'private_key_wrong_size',
      );
      expectRefused(
        oneAsymmetricKey({ oid: oids[algorithm], privateKey: der(0x30, der(0x04, seed), der(0x04, shortExpanded)) }),
        'private_key_wrong_size',
      );
      // The other algorithm's seed under this OID.
      const otherSeed = new Uint8Array(seedLength === 32 ? 64 : 32);
      expectRefused(oneAsymmetricKey({ oid: oids[algorithm], privateKey: der(0x80, otherSeed) }), 'private_key_wrong_size');
    });

    it('a both key whose halves disagree', () => {
      const flipped = Uint8Array.from(vector.both);
      flipped[flipped.length - 100] = (flipped[flipped.length - 100] ?? 0) ^ 1;
      expectRefused(flipped, 'private_key_inconsistent', /not the one its seed derives/);
      const otherSeed = Uint8Array.from(seed, (b) => b ^ 0xff);
      expectRefused(
        oneAsymmetricKey({ oid: oids[algorithm], privateKey: der(0x30, der(0x04, otherSeed), der(0x04, expanded)) }),
        'private_key_inconsistent',
      );
    });

    it('a v2 publicKey that belongs to another key, or a publicKey in a v1 key', () => {
      const otherPublicKey = Uint8Array.from(vector.publicKey, (b, i) => (i === 40 ? b ^ 1 : b));
      for (const privateKey of [der(0x80, seed), der(0x04, expanded)]) {
        expectRefused(
          oneAsymmetricKey({ version: 1, oid: oids[algorithm], privateKey, after: [der(0x81, Uint8Array.of(0), otherPublicKey)] }),
          'private_key_inconsistent',
        );
        expectRefused(
          oneAsymmetricKey({ version: 0, oid: oids[algorithm], privateKey, after: [der(0x81, Uint8Array.of(0), vector.publicKey)] }),
          'private_key_malformed',
          /v2/,
        );
      }
    });

    it('writing a both key whose halves disagree, or a key of the wrong size', () => {
      const otherSeed = Uint8Array.from(seed, (b) => b ^ 0xff);
      expectRefused(
        () => encodePkcs8PrivateKey({ algorithm, form: 'both', seed: otherSeed, expandedKey: expanded }),
        'private_key_inconsistent',
      );
      expectRefused(() => encodePkcs8PrivateKey({ algorithm, form: 'seed', seed: seed.subarray(1) }), 'private_key_wrong_size');
      expectRefused(
        () => encodePkcs8PrivateKey({ algorithm, form: 'expandedKey', expandedKey: expanded.subarray(1) }),
        'private_key_wrong_size',
      );
    });
  });
});

describe('PKCS#8 ML-KEM-768 expanded keys', () => {
  it('are refused when they fail the FIPS 203 hash check (H(ek) stored in dk does not match ek)', () => {
    const damaged = Uint8Array.from(mlKem768Pkcs8Vector.expandedKey);
    damaged[damaged.length - 40] = (damaged[damaged.length - 40] ?? 0) ^ 1; // inside H(ek)
    expectRefused(damaged, 'private_key_inconsistent', /hash check/);
    const key: Pkcs8PrivateKey = { algorithm: 'mlKem768', form: 'expandedKey', expandedKey: damaged.subarray(-2400) };
    expectRefused(() => encodePkcs8PrivateKey(key), 'private_key_inconsistent');
  });
});
