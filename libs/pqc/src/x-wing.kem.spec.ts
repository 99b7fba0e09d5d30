import { beforeAll, describe, expect, it } from '@jest/globals';
import { ml_kem768_x25519 as nobleXWing } from '@noble/post-quantum/hybrid.js';
import { createLiboqsBackend } from './liboqs.backend.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { createXWing, expandXWingSeed, type XWing } from './x-wing.kem.js';
import { xWingDraftVectors } from './x-wing.vectors.js';

describe('X-Wing (draft-connolly-cfrg-xwing-kem) against @noble/post-quantum', () => {
  let xWings: Record<'node' | 'liboqs', XWing>;
  let backends: Record<'node' | 'liboqs', PqcBackend>;
  beforeAll(async () => {
    backends = { node: createNodeCryptoBackend(), liboqs: await createLiboqsBackend() };
    xWings = { node: createXWing(backends.node), liboqs: createXWing(backends.liboqs) };
  });

  it.each(['node', 'liboqs'] as const)(
    'reproduces the draft test vectors: public key from seed, shared secret from ciphertext (%s)',
    (name) => {
      for (const vector of xWingDraftVectors) {
        expect(vector.pk).toHaveLength(1216);
        expect(vector.ct).toHaveLength(1120);
        const keys = xWings[name].keyPairFromSeed(vector.sk);
        expect(Buffer.from(keys.publicKey).toString('hex')).toBe(Buffer.from(vector.pk).toString('hex'));
        expect(xWings[name].decapsulate(vector.ct, keys.secretKey)).toEqual(vector.ss);
        expect(nobleXWing.decapsulate(vector.ct, vector.sk)).toEqual(vector.ss);
      }
    },
  );

  it.each(['node', 'liboqs'] as const)('decapsulates with a key held only in the expanded form of key files before v2 (%s)', (name) => {
    for (const vector of xWingDraftVectors) {
      const legacy = expandXWingSeed(vector.sk);
      expect(legacy.publicKey).toEqual(vector.pk);
      expect(xWings[name].decapsulate(vector.ct, legacy.secretKey)).toEqual(vector.ss);
    }
  });

  it.each(['node', 'liboqs'] as const)('keeps only the 32-byte seed as the secret key (%s)', (name) => {
    const seed = Uint8Array.from({ length: 32 }, (_, j) => j * 3);
    expect(xWings[name].keyPairFromSeed(seed).secretKey).toEqual({ seed });
  });

  it.each(['node', 'liboqs'] as const)('derives the same public key from a seed as noble (%s)', (name) => {
    for (let i = 0; i < 5; i += 1) {
      const seed = Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7) & 0xff);
      expect(xWings[name].keyPairFromSeed(seed).publicKey).toEqual(nobleXWing.keygen(seed).publicKey);
    }
  });

  it.each(['node', 'liboqs'] as const)('decapsulates what noble encapsulated (%s)', (name) => {
    const keys = xWings[name].generateKeyPair();
    const { cipherText, sharedSecret } = nobleXWing.encapsulate(keys.publicKey);
    expect(xWings[name].decapsulate(cipherText, keys.secretKey)).toEqual(sharedSecret);
  });

  it.each(['node', 'liboqs'] as const)('noble decapsulates what %s encapsulated', (name) => {
    const seed = Uint8Array.from({ length: 32 }, (_, j) => 255 - j);
    const noble = nobleXWing.keygen(seed);
    const { ciphertext, sharedSecret } = xWings[name].encapsulate(noble.publicKey);
    expect(ciphertext).toHaveLength(1120);
    expect(nobleXWing.decapsulate(ciphertext, noble.secretKey)).toEqual(sharedSecret);
  });

  it('a ciphertext from one backend opens on the other', () => {
    const keys = xWings.node.generateKeyPair();
    const fromNode = xWings.node.encapsulate(keys.publicKey);
    expect(xWings.liboqs.decapsulate(fromNode.ciphertext, keys.secretKey)).toEqual(fromNode.sharedSecret);
    const fromLiboqs = xWings.liboqs.encapsulate(keys.publicKey);
    expect(xWings.node.decapsulate(fromLiboqs.ciphertext, keys.secretKey)).toEqual(fromLiboqs.sharedSecret);
  });

  it('a flipped byte in either half of the ciphertext changes the shared secret', () => {
    const keys = xWings.node.generateKeyPair();
    const { ciphertext, sharedSecret } = xWings.node.encapsulate(keys.publicKey);
    for (const index of [5, 1100]) {
      const tampered = Uint8Array.from(ciphertext);
      tampered[index] = (tampered[index] ?? 0) ^ 0x80;
      expect(xWings.node.decapsulate(tampered, keys.secretKey)).not.toEqual(sharedSecret);
    }
  });

  it('two encapsulations to the same key give different ciphertexts and secrets', () => {
    const keys = xWings.liboqs.generateKeyPair();
    const a = xWings.liboqs.encapsulate(keys.publicKey);
    const b = xWings.liboqs.encapsulate(keys.publicKey);
    expect(a.ciphertext).not.toEqual(b.ciphertext);
    expect(a.sharedSecret).not.toEqual(b.sharedSecret);
  });
});
