import { describe, expect, it } from '@jest/globals';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import crypto from 'node:crypto';
import { mlKem768KeyGen } from './ml-kem-768.keygen.js';
import { encodePkcs8PrivateKey } from './pkcs8.codec.js';
import { mlKem768Pkcs8Vector } from './pkcs8.vectors.js';
import { InvalidInputError } from './pqc.errors.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const randomSeeds = Array.from({ length: 4 }, () => Uint8Array.from(crypto.randomBytes(64)));

describe('ML-KEM-768 KeyGen_internal from the seed (FIPS 203 Algorithm 16)', () => {
  it('reproduces the expanded and public key OpenSSL 3.5.8 made from the vector seed, byte for byte', () => {
    const seed = Uint8Array.from({ length: 64 }, (_, i) => i);
    const { publicKey, expandedKey } = mlKem768KeyGen(seed);
    expect(hex(publicKey)).toBe(hex(mlKem768Pkcs8Vector.publicKey));
    expect(hex(expandedKey)).toBe(hex(mlKem768Pkcs8Vector.both.subarray(-2400)));
  });

  it.each(randomSeeds.map((seed) => [hex(seed.subarray(0, 4)), seed] as const))(
    'derives from random seed %s… the public key this Node computes from raw-seed, and an expanded key that decapsulates as the seed does',
    (_label, seed) => {
      const fromSeed = crypto.createPrivateKey({ key: Buffer.from(seed), format: 'raw-seed', asymmetricKeyType: 'ml-kem-768' });
      const ours = mlKem768KeyGen(seed);
      expect(hex(ours.publicKey)).toBe(hex(crypto.createPublicKey(fromSeed).export({ format: 'raw-public' })));

      const fromExpanded = crypto.createPrivateKey({
        key: Buffer.from(encodePkcs8PrivateKey({ algorithm: 'mlKem768', form: 'expandedKey', expandedKey: ours.expandedKey })),
        format: 'der',
        type: 'pkcs8',
      });
      const { ciphertext, sharedKey } = crypto.encapsulate(crypto.createPublicKey(fromSeed));
      expect(crypto.decapsulate(fromExpanded, ciphertext)).toEqual(sharedKey);
      // Implicit rejection uses z, the tail of the expanded key: both keys reject alike.
      const tampered = Buffer.from(ciphertext);
      tampered[0] = (tampered[0] ?? 0) ^ 1;
      expect(crypto.decapsulate(fromExpanded, tampered)).toEqual(crypto.decapsulate(fromSeed, tampered));
    },
  );

  it('agrees with an independent implementation (@noble/post-quantum) on random seeds', () => {
    for (const seed of randomSeeds) {
      const noble = ml_kem768.keygen(seed);
      const ours = mlKem768KeyGen(seed);
      expect(hex(ours.publicKey)).toBe(hex(noble.publicKey));
      expect(hex(ours.expandedKey)).toBe(hex(noble.secretKey));
    }
  });

  it('refuses a seed that is not 64 bytes', () => {
    expect(() => mlKem768KeyGen(new Uint8Array(32))).toThrow(InvalidInputError);
  });
});
