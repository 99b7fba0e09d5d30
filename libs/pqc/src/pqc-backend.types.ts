import type { BackendName } from './algorithms.constants.js';

/** Raw key pair. Public keys are the FIPS encodings; secret keys the FIPS "expanded" encodings. */
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
  generateKeyPair(): RawKeyPair;
  /** KeyGen_internal(d, z) from a 64-byte seed d||z; only some backends can do this. */
  readonly keyPairFromSeed?: (seed: Uint8Array) => RawKeyPair;
  encapsulate(publicKey: Uint8Array): Encapsulation;
  /** Implicit rejection: a tampered ciphertext yields an unrelated secret, not an error. */
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

/** ML-DSA-65 (FIPS 204), pure mode with an empty context string. */
export interface MlDsa65 {
  generateKeyPair(): RawKeyPair;
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
