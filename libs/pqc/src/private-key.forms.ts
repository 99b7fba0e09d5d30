import crypto from 'node:crypto';
import { Algorithm, Sizes } from './algorithms.constants.js';
import { mlDsa65KeyGen } from './ml-dsa-65.keygen.js';
import { mlKem768KeyGen } from './ml-kem-768.keygen.js';
import { InvalidInputError, PrivateKeyError, PrivateKeyErrorCode } from './pqc.errors.js';

/**
 * The two forms a ML-KEM-768 / ML-DSA-65 secret key takes in memory and in files. FIPS 203 §3.3
 * and FIPS 204 §3.6.3 recommend keeping the seed, from which KeyGen_internal derives everything;
 * the expanded key is what liboqs computes with, and what key files before v2 stored.
 */
export const SecretKeyForm = {
  seed: 'seed',
  expandedKey: 'expandedKey',
} as const;
export type SecretKeyForm = (typeof SecretKeyForm)[keyof typeof SecretKeyForm];

export interface LatticeAlgorithm {
  readonly name: typeof Algorithm.mlKem768 | typeof Algorithm.mlDsa65;
  /** Content octets of the AlgorithmIdentifier OID (2.16.840.1.101.3.4.4.2 / 2.16.840.1.101.3.4.3.18). */
  readonly oid: Uint8Array;
  readonly seedLength: number;
  readonly expandedKeyLength: number;
  readonly publicKeyLength: number;
  /** KeyGen_internal from the seed (ml-kem-768.keygen.ts, ml-dsa-65.keygen.ts). */
  readonly keyGen: (seed: Uint8Array) => { publicKey: Uint8Array; expandedKey: Uint8Array };
}

export const latticeAlgorithms = {
  mlKem768: {
    name: Algorithm.mlKem768,
    oid: Uint8Array.of(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x02),
    seedLength: Sizes.mlKem768Seed,
    expandedKeyLength: Sizes.mlKem768SecretKey,
    publicKeyLength: Sizes.mlKem768PublicKey,
    keyGen: mlKem768KeyGen,
  },
  mlDsa65: {
    name: Algorithm.mlDsa65,
    oid: Uint8Array.of(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12),
    seedLength: Sizes.mlDsa65Seed,
    expandedKeyLength: Sizes.mlDsa65SecretKey,
    publicKeyLength: Sizes.mlDsa65PublicKey,
    keyGen: mlDsa65KeyGen,
  },
} as const satisfies Record<string, LatticeAlgorithm>;
export type LatticeAlgorithmId = keyof typeof latticeAlgorithms;

/** Which form a secret key is in, told by its length (the two never coincide). */
export function secretKeyForm(algorithm: LatticeAlgorithmId, secretKey: Uint8Array): SecretKeyForm {
  const { name, seedLength, expandedKeyLength } = latticeAlgorithms[algorithm];
  if (secretKey instanceof Uint8Array && secretKey.length === seedLength) return SecretKeyForm.seed;
  if (secretKey instanceof Uint8Array && secretKey.length === expandedKeyLength) return SecretKeyForm.expandedKey;
  const got = secretKey instanceof Uint8Array ? `${secretKey.length} bytes` : typeof secretKey;
  throw new InvalidInputError(
    `${name} secret key must be a ${seedLength}-byte seed or a ${expandedKeyLength}-byte expanded key, got ${got}`,
  );
}

/**
 * The expanded secret key: derived when `secretKey` is a seed, else `secretKey` itself; an ML-KEM
 * one must pass the FIPS 203 hash check (OpenSSL's import checks that and more).
 */
export function expandedKeyOf(algorithm: LatticeAlgorithmId, secretKey: Uint8Array): Uint8Array {
  if (secretKeyForm(algorithm, secretKey) === SecretKeyForm.seed) return latticeAlgorithms[algorithm].keyGen(secretKey).expandedKey;
  if (algorithm === 'mlKem768' && !mlKemExpandedKeyIsWellFormed(secretKey)) {
    throw new PrivateKeyError(
      PrivateKeyErrorCode.inconsistent,
      'ML-KEM-768 expanded key fails the FIPS 203 hash check (H(ek) does not match ek)',
    );
  }
  return secretKey;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * Whether an expanded secret key belongs to `publicKey`, checked on the copies the encoding holds:
 * ML-KEM's dk contains ek (FIPS 203 Algorithm 16); ML-DSA's sk starts with ρ, which starts pk,
 * and holds tr = H(pk, 64) (FIPS 204 Algorithms 22 and 24).
 */
export function expandedKeyMatchesPublicKey(algorithm: LatticeAlgorithmId, expandedKey: Uint8Array, publicKey: Uint8Array): boolean {
  const { expandedKeyLength, publicKeyLength } = latticeAlgorithms[algorithm];
  if (expandedKey.length !== expandedKeyLength || publicKey.length !== publicKeyLength) return false;
  if (algorithm === 'mlKem768') return bytesEqual(expandedKey.subarray(1152, 1152 + publicKeyLength), publicKey);
  const tr = crypto.createHash('shake256', { outputLength: 64 }).update(publicKey).digest();
  return bytesEqual(expandedKey.subarray(0, 32), publicKey.subarray(0, 32)) && bytesEqual(expandedKey.subarray(64, 128), tr);
}

/**
 * FIPS 203 §7.3 hash check of an ML-KEM decapsulation key: the H(ek) it stores is the hash of the
 * ek it stores. Catches a damaged expanded key before it silently decapsulates to wrong secrets.
 */
export function mlKemExpandedKeyIsWellFormed(expandedKey: Uint8Array): boolean {
  if (expandedKey.length !== Sizes.mlKem768SecretKey) return false;
  const ek = expandedKey.subarray(1152, 2336);
  return bytesEqual(crypto.createHash('sha3-256').update(ek).digest(), expandedKey.subarray(2336, 2368));
}

/**
 * Memoises `make` per key array. Keys are long-lived Uint8Arrays (loaded once from the identity
 * files and the trust bundle), while turning bytes into a KeyObject or expanding a seed costs
 * microseconds to milliseconds, so backends cache by array identity.
 */
export function perKeyCache<T>(make: (key: Uint8Array) => T): (key: Uint8Array) => T {
  const cache = new WeakMap<Uint8Array, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = make(key);
      cache.set(key, value);
    }
    return value;
  };
}
