import crypto, { type KeyObject } from 'node:crypto';
import { BackendName, Sizes } from './algorithms.constants.js';
import { assertLength, plainBytes } from './bytes.codec.js';
import { encodePkcs8PrivateKey, Pkcs8Form } from './pkcs8.codec.js';
import { BackendUnavailableError } from './pqc.errors.js';
import type { MlDsa65, MlKem768, PqcBackend, RawKeyPair } from './pqc-backend.types.js';
import { type LatticeAlgorithmId, latticeAlgorithms, perKeyCache, SecretKeyForm, secretKeyForm } from './private-key.forms.js';

const keyTypes = { mlKem768: 'ml-kem-768', mlDsa65: 'ml-dsa-65' } as const;

/**
 * A private KeyObject from a seed (`raw-seed`) or, for keys that only exist expanded, from a
 * PKCS#8 `expandedKey`: OpenSSL 3.5.8 and 3.5.9 import both. Nothing here depends on the form
 * OpenSSL would export (3.5.8 writes `both`, 3.5.9 only the seed, and neither exports the
 * expanded key raw).
 */
function privateKeyObject(algorithm: LatticeAlgorithmId, secretKey: Uint8Array): KeyObject {
  if (secretKeyForm(algorithm, secretKey) === SecretKeyForm.seed) {
    return crypto.createPrivateKey({ key: Buffer.from(secretKey), format: 'raw-seed', asymmetricKeyType: keyTypes[algorithm] });
  }
  const der = encodePkcs8PrivateKey({ algorithm, form: Pkcs8Form.expandedKey, expandedKey: secretKey });
  return crypto.createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
}

function keyPairFactory(algorithm: LatticeAlgorithmId, privateKeys: (secretKey: Uint8Array) => KeyObject) {
  const { name, seedLength } = latticeAlgorithms[algorithm];
  const fromSeed = (seed: Uint8Array): RawKeyPair => {
    assertLength(seed, seedLength, `${name} seed`);
    const secretKey = plainBytes(Uint8Array.from(seed));
    const publicKey = plainBytes(crypto.createPublicKey(privateKeys(secretKey)).export({ format: 'raw-public' }));
    return { publicKey, secretKey };
  };
  return { keyPairFromSeed: fromSeed, generateKeyPair: () => fromSeed(plainBytes(crypto.randomBytes(seedLength))) };
}

function nodeMlKem768(): MlKem768 {
  const publicKeyObject = perKeyCache((bytes) => {
    assertLength(bytes, Sizes.mlKem768PublicKey, 'ML-KEM-768 public key');
    return crypto.createPublicKey({ key: Buffer.from(bytes), format: 'raw-public', asymmetricKeyType: keyTypes.mlKem768 });
  });
  const secretKeyObject = perKeyCache((bytes) => privateKeyObject('mlKem768', bytes));
  return {
    ...keyPairFactory('mlKem768', secretKeyObject),
    encapsulate: (publicKey) => {
      const { ciphertext, sharedKey } = crypto.encapsulate(publicKeyObject(publicKey));
      return { ciphertext: plainBytes(ciphertext), sharedSecret: plainBytes(sharedKey) };
    },
    decapsulate: (ciphertext, secretKey) => {
      assertLength(ciphertext, Sizes.mlKem768Ciphertext, 'ML-KEM-768 ciphertext');
      return plainBytes(crypto.decapsulate(secretKeyObject(secretKey), ciphertext));
    },
  };
}

function nodeMlDsa65(): MlDsa65 {
  const publicKeyObject = perKeyCache((bytes) =>
    crypto.createPublicKey({ key: Buffer.from(bytes), format: 'raw-public', asymmetricKeyType: keyTypes.mlDsa65 }),
  );
  const secretKeyObject = perKeyCache((bytes) => privateKeyObject('mlDsa65', bytes));
  return {
    ...keyPairFactory('mlDsa65', secretKeyObject),
    sign: (message, secretKey) => plainBytes(crypto.sign(null, message, secretKeyObject(secretKey))),
    verify: (message, signature, publicKey) => {
      if (publicKey.length !== Sizes.mlDsa65PublicKey || signature.length !== Sizes.mlDsa65Signature) return false;
      try {
        return crypto.verify(null, message, publicKeyObject(publicKey), signature);
      } catch {
        return false;
      }
    },
  };
}

/** Node's own crypto (OpenSSL 3.5+: ML-KEM-768, ML-DSA-65). Throws if this Node lacks them. */
export function createNodeCryptoBackend(): PqcBackend {
  if (typeof crypto.encapsulate !== 'function' || typeof crypto.decapsulate !== 'function') {
    throw new BackendUnavailableError(
      `node crypto backend unavailable: Node ${process.versions.node} (OpenSSL ${process.versions.openssl}) has no ML-KEM; ` +
        'it needs Node >= 24.7 built with OpenSSL >= 3.5',
    );
  }
  return { name: BackendName.node, mlKem768: nodeMlKem768(), mlDsa65: nodeMlDsa65() };
}
