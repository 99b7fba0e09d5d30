import crypto, { type KeyObject } from 'node:crypto';
import { BackendName, Sizes } from './algorithms.constants.js';
import { assertLength, plainBytes } from './bytes.codec.js';
import { expandedKeyFromPkcs8, pkcs8FromExpandedKey } from './pkcs8.codec.js';
import { BackendUnavailableError } from './pqc.errors.js';
import type { MlDsa65, MlKem768, PqcBackend, RawKeyPair } from './pqc-backend.types.js';

// Turning raw bytes into a KeyObject costs tens of microseconds; keys are long-lived Uint8Arrays
// (loaded once from the identity files and the trust bundle), so cache per array identity.
function keyCache(make: (bytes: Uint8Array) => KeyObject): (bytes: Uint8Array) => KeyObject {
  const cache = new WeakMap<Uint8Array, KeyObject>();
  return (bytes) => {
    let key = cache.get(bytes);
    if (key === undefined) {
      key = make(bytes);
      cache.set(bytes, key);
    }
    return key;
  };
}

function exportPair(
  pair: { publicKey: KeyObject; privateKey: KeyObject },
  secretKeyLength: number,
): RawKeyPair {
  const publicKey = plainBytes(pair.publicKey.export({ format: 'raw-public' }));
  const der = plainBytes(pair.privateKey.export({ format: 'der', type: 'pkcs8' }));
  return { publicKey, secretKey: expandedKeyFromPkcs8(der, secretKeyLength) };
}

function nodeMlKem768(): MlKem768 {
  const publicKeyObject = keyCache((bytes) => {
    assertLength(bytes, Sizes.mlKem768PublicKey, 'ML-KEM-768 public key');
    return crypto.createPublicKey({ key: Buffer.from(bytes), format: 'raw-public', asymmetricKeyType: 'ml-kem-768' });
  });
  const secretKeyObject = keyCache((bytes) => {
    assertLength(bytes, Sizes.mlKem768SecretKey, 'ML-KEM-768 secret key');
    return crypto.createPrivateKey({
      key: Buffer.from(pkcs8FromExpandedKey('mlKem768', bytes)),
      format: 'der',
      type: 'pkcs8',
    });
  });
  return {
    generateKeyPair: () => exportPair(crypto.generateKeyPairSync('ml-kem-768'), Sizes.mlKem768SecretKey),
    keyPairFromSeed: (seed) => {
      assertLength(seed, Sizes.mlKem768Seed, 'ML-KEM-768 seed');
      const privateKey = crypto.createPrivateKey({
        key: Buffer.from(seed),
        format: 'raw-seed',
        asymmetricKeyType: 'ml-kem-768',
      });
      return exportPair({ privateKey, publicKey: crypto.createPublicKey(privateKey) }, Sizes.mlKem768SecretKey);
    },
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
  const publicKeyObject = keyCache((bytes) =>
    crypto.createPublicKey({ key: Buffer.from(bytes), format: 'raw-public', asymmetricKeyType: 'ml-dsa-65' }),
  );
  const secretKeyObject = keyCache((bytes) => {
    assertLength(bytes, Sizes.mlDsa65SecretKey, 'ML-DSA-65 secret key');
    return crypto.createPrivateKey({ key: Buffer.from(pkcs8FromExpandedKey('mlDsa65', bytes)), format: 'der', type: 'pkcs8' });
  });
  return {
    generateKeyPair: () => exportPair(crypto.generateKeyPairSync('ml-dsa-65'), Sizes.mlDsa65SecretKey),
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
