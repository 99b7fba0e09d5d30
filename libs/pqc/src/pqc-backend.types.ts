import type { BackendName } from './algorithms.constants.js';

/**
 * Raw key pair. `publicKey` is the FIPS encoding. `secretKey` is the seed FIPS 203 and 204
 * recommend keeping: ML-KEM-768 d‖z (64 bytes), ML-DSA-65 ξ (32 bytes).
 *
 * Every operation that takes a secret key also accepts the FIPS *expanded* secret key (ML-KEM-768
 * 2400 bytes, ML-DSA-65 4032 bytes), for keys that only exist in that form: key files written
 * before v2, or a PKCS#8 `expandedKey`. The lengths tell the two forms apart.
 */
export interface RawKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface Encapsulation {
  readonly ciphertext: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

/** ML-KEM-768 (FIPS 203). */
export interface MlKem768 {
  /** A random seed and the key pair KeyGen_internal derives from it. */
  generateKeyPair(): RawKeyPair;
  /** KeyGen_internal(d, z) from a 64-byte seed d‖z; `secretKey` is a copy of the seed. */
  keyPairFromSeed(seed: Uint8Array): RawKeyPair;
  encapsulate(publicKey: Uint8Array): Encapsulation;
  /** Implicit rejection: a tampered ciphertext yields an unrelated secret, not an error. */
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

/** ML-DSA-65 (FIPS 204), pure mode with an empty context string. */
export interface MlDsa65 {
  /** A random seed and the key pair KeyGen_internal derives from it. */
  generateKeyPair(): RawKeyPair;
  /** KeyGen_internal(ξ) from a 32-byte seed; `secretKey` is a copy of the seed. */
  keyPairFromSeed(seed: Uint8Array): RawKeyPair;
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** Never throws on malformed signatures or keys: returns false. */
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
}

/**
 * One PQC implementation. Both backends use the same byte encodings, so keys, signatures and
 * ciphertexts made by one are accepted by the other.
 */
export interface PqcBackend {
  readonly name: BackendName;
  readonly mlKem768: MlKem768;
  readonly mlDsa65: MlDsa65;
}
