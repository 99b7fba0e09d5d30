import {
  Algorithm,
  createXWing,
  encodeSigningSecretKey,
  encodeXWingSecretKey,
  keyIdFor,
  type PqcBackend,
  type StoredKemKey,
  type StoredSigningKey,
  toBase64Url,
} from '@mapek/pqc';

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A new ML-DSA-65 key, stored as its 32-byte seed (key file v2). */
export function newSigningKey(backend: PqcBackend, validity: Validity): StoredSigningKey {
  const pair = backend.mlDsa65.generateKeyPair();
  return {
    kid: keyIdFor(Algorithm.mlDsa65, pair.publicKey),
    alg: Algorithm.mlDsa65,
    notBefore: validity.notBefore.toISOString(),
    notAfter: validity.notAfter.toISOString(),
    publicKey: toBase64Url(pair.publicKey),
    ...encodeSigningSecretKey(pair.secretKey),
  };
}

/** A new X-Wing key, stored as its 32-byte seed (key file v2). */
export function newKemKey(backend: PqcBackend, validity: Validity): StoredKemKey {
  const pair = createXWing(backend).generateKeyPair();
  return {
    kid: keyIdFor(Algorithm.xWing, pair.publicKey),
    alg: Algorithm.xWing,
    notBefore: validity.notBefore.toISOString(),
    notAfter: validity.notAfter.toISOString(),
    publicKey: toBase64Url(pair.publicKey),
    ...encodeXWingSecretKey(pair.secretKey),
  };
}
