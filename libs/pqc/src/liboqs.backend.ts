type Liboqs = typeof import('@oqs/liboqs-js');
import { BackendName, Sizes } from './algorithms.constants.js';
import { assertLength, plainBytes } from './bytes.codec.js';
import { BackendUnavailableError } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';

/**
 * liboqs (Open Quantum Safe) compiled to WebAssembly, via @oqs/liboqs-js. Loading instantiates one
 * WASM module per algorithm, hence async; every operation afterwards is synchronous.
 * liboqs-js exposes no derandomised key generation, so `keyPairFromSeed` is absent.
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
  return {
    name: BackendName.liboqs,
    mlKem768: {
      generateKeyPair: () => kem.generateKeyPair(),
      encapsulate: (publicKey) => {
        assertLength(publicKey, Sizes.mlKem768PublicKey, 'ML-KEM-768 public key');
        return kem.encapsulate(plainBytes(publicKey));
      },
      decapsulate: (ciphertext, secretKey) => {
        assertLength(ciphertext, Sizes.mlKem768Ciphertext, 'ML-KEM-768 ciphertext');
        assertLength(secretKey, Sizes.mlKem768SecretKey, 'ML-KEM-768 secret key');
        return kem.decapsulate(plainBytes(ciphertext), plainBytes(secretKey));
      },
    },
    mlDsa65: {
      generateKeyPair: () => dsa.generateKeyPair(),
      sign: (message, secretKey) => {
        assertLength(secretKey, Sizes.mlDsa65SecretKey, 'ML-DSA-65 secret key');
        return dsa.sign(plainBytes(message), plainBytes(secretKey));
      },
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
