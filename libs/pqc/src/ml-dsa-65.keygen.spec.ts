import { describe, expect, it } from '@jest/globals';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import crypto from 'node:crypto';
import { mlDsa65KeyGen } from './ml-dsa-65.keygen.js';
import { encodePkcs8PrivateKey } from './pkcs8.codec.js';
import { mlDsa65Pkcs8Vector } from './pkcs8.vectors.js';
import { InvalidInputError } from './pqc.errors.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const randomSeeds = Array.from({ length: 4 }, () => Uint8Array.from(crypto.randomBytes(32)));
const message = new TextEncoder().encode('mapek ML-DSA-65 key generation');

describe('ML-DSA-65 KeyGen_internal from the seed (FIPS 204 Algorithm 6)', () => {
  it('reproduces the expanded and public key OpenSSL 3.5.8 made from the vector seed, byte for byte', () => {
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
    const { publicKey, expandedKey } = mlDsa65KeyGen(seed);
    expect(hex(publicKey)).toBe(hex(mlDsa65Pkcs8Vector.publicKey));
    expect(hex(expandedKey)).toBe(hex(mlDsa65Pkcs8Vector.both.subarray(-4032)));
  });

  it.each(randomSeeds.map((seed) => [hex(seed.subarray(0, 4)), seed] as const))(
    'derives from random seed %s… the public key this Node computes from raw-seed, and an expanded key that signs for it',
    (_label, seed) => {
      const fromSeed = crypto.createPrivateKey({ key: Buffer.from(seed), format: 'raw-seed', asymmetricKeyType: 'ml-dsa-65' });
      const ours = mlDsa65KeyGen(seed);
      const publicKey = crypto.createPublicKey(fromSeed);
      expect(hex(ours.publicKey)).toBe(hex(publicKey.export({ format: 'raw-public' })));

      const fromExpanded = crypto.createPrivateKey({
        key: Buffer.from(encodePkcs8PrivateKey({ algorithm: 'mlDsa65', form: 'expandedKey', expandedKey: ours.expandedKey })),
        format: 'der',
        type: 'pkcs8',
      });
      expect(crypto.verify(null, message, publicKey, crypto.sign(null, message, fromExpanded))).toBe(true);
    },
  );

  it('agrees with an independent implementation (@noble/post-quantum) on random seeds', () => {
    for (const seed of randomSeeds) {
      const noble = ml_dsa65.keygen(seed);
      const ours = mlDsa65KeyGen(seed);
      expect(hex(ours.publicKey)).toBe(hex(noble.publicKey));
      expect(hex(ours.expandedKey)).toBe(hex(noble.secretKey));
    }
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => mlDsa65KeyGen(new Uint8Array(64))).toThrow(InvalidInputError);
  });
});
