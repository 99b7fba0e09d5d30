import { beforeAll, describe, expect, it } from '@jest/globals';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { createLiboqsBackend } from './liboqs.backend.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import type { PqcBackend } from './pqc-backend.types.js';

const message = new TextEncoder().encode('{"id":"0192","type":"plan.approved"}');

function flip(bytes: Uint8Array, index = 7): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('ML-DSA-65 and ML-KEM-768 across backends', () => {
  let backends: Record<'node' | 'liboqs', PqcBackend>;
  beforeAll(async () => {
    backends = { node: createNodeCryptoBackend(), liboqs: await createLiboqsBackend() };
  });

  const pairs = [
    ['node', 'liboqs'],
    ['liboqs', 'node'],
    ['node', 'node'],
    ['liboqs', 'liboqs'],
  ] as const;

  it.each(pairs)('a signature made and keyed by %s verifies with %s', (maker, checker) => {
    const keys = backends[maker].mlDsa65.generateKeyPair();
    const signature = backends[maker].mlDsa65.sign(message, keys.secretKey);
    expect(backends[checker].mlDsa65.verify(message, signature, keys.publicKey)).toBe(true);
  });

  it.each(pairs)('a key pair from %s signs on %s (secret keys are interchangeable)', (maker, signer) => {
    const keys = backends[maker].mlDsa65.generateKeyPair();
    const signature = backends[signer].mlDsa65.sign(message, keys.secretKey);
    expect(backends[maker].mlDsa65.verify(message, signature, keys.publicKey)).toBe(true);
  });

  it.each(pairs)('a flipped byte in the signature, message or key fails on %s→%s', (maker, checker) => {
    const keys = backends[maker].mlDsa65.generateKeyPair();
    const signature = backends[maker].mlDsa65.sign(message, keys.secretKey);
    const verify = backends[checker].mlDsa65;
    expect(verify.verify(message, flip(signature), keys.publicKey)).toBe(false);
    expect(verify.verify(flip(message, 3), signature, keys.publicKey)).toBe(false);
    expect(verify.verify(message, signature, flip(keys.publicKey, 100))).toBe(false);
  });

  it.each(pairs)('a ciphertext encapsulated by %s decapsulates with %s', (encapsulator, decapsulator) => {
    const keys = backends[decapsulator].mlKem768.generateKeyPair();
    const { ciphertext, sharedSecret } = backends[encapsulator].mlKem768.encapsulate(keys.publicKey);
    expect(backends[decapsulator].mlKem768.decapsulate(ciphertext, keys.secretKey)).toEqual(sharedSecret);
  });

  it.each(pairs)('a KEM key pair from %s decapsulates on %s', (maker, decapsulator) => {
    const keys = backends[maker].mlKem768.generateKeyPair();
    const { ciphertext, sharedSecret } = backends[maker].mlKem768.encapsulate(keys.publicKey);
    expect(backends[decapsulator].mlKem768.decapsulate(ciphertext, keys.secretKey)).toEqual(sharedSecret);
  });

  it.each(pairs)('a flipped ciphertext byte from %s yields a different secret on %s (implicit rejection)', (encapsulator, decapsulator) => {
    const keys = backends[decapsulator].mlKem768.generateKeyPair();
    const { ciphertext, sharedSecret } = backends[encapsulator].mlKem768.encapsulate(keys.publicKey);
    expect(backends[decapsulator].mlKem768.decapsulate(flip(ciphertext), keys.secretKey)).not.toEqual(sharedSecret);
  });

  it('malformed signatures and keys verify as false instead of throwing', () => {
    for (const backend of Object.values(backends)) {
      const keys = backend.mlDsa65.generateKeyPair();
      expect(backend.mlDsa65.verify(message, new Uint8Array(10), keys.publicKey)).toBe(false);
      expect(backend.mlDsa65.verify(message, new Uint8Array(3309), new Uint8Array(5))).toBe(false);
    }
  });

  it('both backends agree with an independent implementation (@noble/post-quantum)', () => {
    for (const backend of Object.values(backends)) {
      const nobleSigner = ml_dsa65.keygen();
      expect(backend.mlDsa65.verify(message, ml_dsa65.sign(message, nobleSigner.secretKey), nobleSigner.publicKey)).toBe(true);
      const ours = backend.mlDsa65.generateKeyPair();
      expect(ml_dsa65.verify(backend.mlDsa65.sign(message, ours.secretKey), message, ours.publicKey)).toBe(true);

      const kemKeys = backend.mlKem768.generateKeyPair();
      const { cipherText, sharedSecret } = ml_kem768.encapsulate(kemKeys.publicKey);
      expect(backend.mlKem768.decapsulate(cipherText, kemKeys.secretKey)).toEqual(sharedSecret);
    }
  });

  it.each(['node', 'liboqs'] as const)('%s keeps the seed as the secret key and derives the public keys noble derives from it', (name) => {
    const kemSeed = Uint8Array.from({ length: 64 }, (_, i) => i);
    const kem = backends[name].mlKem768.keyPairFromSeed(kemSeed);
    expect(kem.secretKey).toEqual(kemSeed);
    expect(kem.publicKey).toEqual(ml_kem768.keygen(kemSeed).publicKey);
    const dsaSeed = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const dsa = backends[name].mlDsa65.keyPairFromSeed(dsaSeed);
    expect(dsa.secretKey).toEqual(dsaSeed);
    expect(dsa.publicKey).toEqual(ml_dsa65.keygen(dsaSeed).publicKey);
  });

  it.each(['node', 'liboqs'] as const)('%s generates key pairs whose secret key is a fresh seed', (name) => {
    const [a, b] = [backends[name].mlDsa65.generateKeyPair(), backends[name].mlDsa65.generateKeyPair()];
    expect(a.secretKey).toHaveLength(32);
    expect(a.secretKey).not.toEqual(b.secretKey);
    expect(backends[name].mlKem768.generateKeyPair().secretKey).toHaveLength(64);
  });
});
