type Liboqs = typeof import('@oqs/liboqs-js');
import crypto from 'node:crypto';
import { BackendName, Sizes } from './algorithms.constants.js';
import { assertLength, plainBytes } from './bytes.codec.js';
import { BackendUnavailableError } from './pqc.errors.js';
import type { PqcBackend, RawKeyPair } from './pqc-backend.types.js';
import { expandedKeyOf, type LatticeAlgorithmId, latticeAlgorithms } from './private-key.forms.js';

/**
 * Key pairs from a seed, for liboqs: liboqs-js has no derandomised key generation and computes
 * with the FIPS expanded secret key, so KeyGen_internal runs in TypeScript (ml-kem-768.keygen.ts,
 * ml-dsa-65.keygen.ts) and `expanded` caches its result per key array, whether the key came from
 * here, from a file or from the other backend.
 */
function seededKeys(algorithm: LatticeAlgorithmId) {
  const { name, seedLength, keyGen } = latticeAlgorithms[algorithm];
  const cache = new WeakMap<Uint8Array, Uint8Array>();
  const expanded = (secretKey: Uint8Array): Uint8Array => {
    let key = cache.get(secretKey);
    if (key === undefined) {
      key = plainBytes(expandedKeyOf(algorithm, secretKey));
      cache.set(secretKey, key);
    }
    return key;
  };
  const keyPairFromSeed = (seed: Uint8Array): RawKeyPair => {
    assertLength(seed, seedLength, `${name} seed`);
    const secretKey = plainBytes(Uint8Array.from(seed));
    const pair = keyGen(secretKey);
    cache.set(secretKey, pair.expandedKey);
    return { publicKey: pair.publicKey, secretKey };
  };
  return { expanded, keyPairFromSeed, generateKeyPair: () => keyPairFromSeed(plainBytes(crypto.randomBytes(seedLength))) };
}

/**
 * liboqs (Open Quantum Safe) compiled to WebAssembly, via @oqs/liboqs-js. Loading instantiates one
 * WASM module per algorithm, hence async; every operation afterwards is synchronous.
 */
export async function createLiboqsBackend(): Promise<PqcBackend> {
  let kem: Awaited<ReturnType<Liboqs['createMLKEM768']>>;
  let dsa: Awaited<ReturnType<Liboqs['createMLDSA65']>>;
  try {
    // Imported on demand: the package's entry pulls in every liboqs algorithm (~15 MB of
    // JavaScript with inlined WebAssembly), which a service on the Node backend never needs.
    const { createMLDSA65, createMLKEM768 } = await import('@oqs/liboqs-js');
    [kem, dsa] = await Promise.all([createMLKEM768(), createMLDSA65()]);
  } catch (cause) {
    throw new BackendUnavailableError('liboqs backend unavailable (@oqs/liboqs-js did not load)', { cause });
  }
  const kemKeys = seededKeys('mlKem768');
  const dsaKeys = seededKeys('mlDsa65');
  return {
    name: BackendName.liboqs,
    mlKem768: {
      generateKeyPair: kemKeys.generateKeyPair,
      keyPairFromSeed: kemKeys.keyPairFromSeed,
      encapsulate: (publicKey) => {
        assertLength(publicKey, Sizes.mlKem768PublicKey, 'ML-KEM-768 public key');
        return kem.encapsulate(plainBytes(publicKey));
      },
      decapsulate: (ciphertext, secretKey) => {
        assertLength(ciphertext, Sizes.mlKem768Ciphertext, 'ML-KEM-768 ciphertext');
        return kem.decapsulate(plainBytes(ciphertext), kemKeys.expanded(secretKey));
      },
    },
    mlDsa65: {
      generateKeyPair: dsaKeys.generateKeyPair,
      keyPairFromSeed: dsaKeys.keyPairFromSeed,
      sign: (message, secretKey) => dsa.sign(plainBytes(message), dsaKeys.expanded(secretKey)),
      verify: (message, signature, publicKey) => {
        if (publicKey.length !== Sizes.mlDsa65PublicKey || signature.length !== Sizes.mlDsa65Signature) return false;
        try {
          return dsa.verify(plainBytes(message), plainBytes(signature), plainBytes(publicKey));
        } catch {
          return false;
        }
      },
    },
  };
}
