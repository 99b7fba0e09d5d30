import { beforeAll, describe, expect, it } from '@jest/globals';
import { createLiboqsBackend } from './liboqs.backend.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import { decodePkcs8PrivateKey, Pkcs8Form, secretKeyOf } from './pkcs8.codec.js';
import { mlDsa65Pkcs8Vector, mlKem768Pkcs8Vector } from './pkcs8.vectors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { PrivateKeyError } from './pqc.errors.js';

// Every form of the fixed OpenSSL 3.5.8 vectors, loaded into both backends: whatever form a key
// arrives in, and whichever backend made the signature or ciphertext, the result is the same.

type Name = 'node' | 'liboqs';
const names = ['node', 'liboqs'] as const;
const forms = [Pkcs8Form.seed, Pkcs8Form.expandedKey, Pkcs8Form.both] as const;
const message = new TextEncoder().encode('{"id":"0193","type":"plan.proposed"}');
const combinations = forms.flatMap((form) => names.flatMap((a) => names.map((b) => [form, a, b] as const)));

const dsaKey = (form: Pkcs8Form) => secretKeyOf(decodePkcs8PrivateKey(mlDsa65Pkcs8Vector[form]));
const kemKey = (form: Pkcs8Form) => secretKeyOf(decodePkcs8PrivateKey(mlKem768Pkcs8Vector[form]));

describe('PKCS#8 seed, expandedKey and both keys on the node and liboqs backends', () => {
  let backends: Record<Name, PqcBackend>;
  beforeAll(async () => {
    backends = { node: createNodeCryptoBackend(), liboqs: await createLiboqsBackend() };
  });

  it.each(combinations)(
    'an ML-DSA-65 key in the %s form signs on %s, and %s verifies it under the vector public key',
    (form, signer, verifier) => {
      const signature = backends[signer].mlDsa65.sign(message, dsaKey(form));
      expect(backends[verifier].mlDsa65.verify(message, signature, mlDsa65Pkcs8Vector.publicKey)).toBe(true);
      expect(backends[verifier].mlDsa65.verify(new TextEncoder().encode('other'), signature, mlDsa65Pkcs8Vector.publicKey)).toBe(false);
    },
  );

  it.each(combinations)(
    'an ML-KEM-768 key in the %s form decapsulates on %s what %s encapsulated to the vector public key',
    (form, decapsulator, encapsulator) => {
      const { ciphertext, sharedSecret } = backends[encapsulator].mlKem768.encapsulate(mlKem768Pkcs8Vector.publicKey);
      expect(backends[decapsulator].mlKem768.decapsulate(ciphertext, kemKey(form))).toEqual(sharedSecret);
    },
  );

  it('every backend and form agrees on the shared secret of one ciphertext, and on the implicit rejection of a tampered one', () => {
    const { ciphertext, sharedSecret } = backends.node.mlKem768.encapsulate(mlKem768Pkcs8Vector.publicKey);
    const tampered = Uint8Array.from(ciphertext);
    tampered[500] = (tampered[500] ?? 0) ^ 0x10;
    const results = names.flatMap((name) =>
      forms.map((form) => {
        const key = kemKey(form);
        const kem = backends[name].mlKem768;
        return {
          secret: Buffer.from(kem.decapsulate(ciphertext, key)).toString('hex'),
          rejection: Buffer.from(kem.decapsulate(tampered, key)).toString('hex'),
        };
      }),
    );
    expect(new Set(results.map((r) => r.secret))).toEqual(new Set([Buffer.from(sharedSecret).toString('hex')]));
    expect(new Set(results.map((r) => r.rejection)).size).toBe(1);
    expect(results[0]?.rejection).not.toBe(results[0]?.secret);
  });

  it.each(names)('%s derives the vector public keys from the vector seeds', (name) => {
    expect(backends[name].mlDsa65.keyPairFromSeed(dsaKey(Pkcs8Form.seed)).publicKey).toEqual(mlDsa65Pkcs8Vector.publicKey);
    expect(backends[name].mlKem768.keyPairFromSeed(kemKey(Pkcs8Form.seed)).publicKey).toEqual(mlKem768Pkcs8Vector.publicKey);
  });

  it.each(names)('%s refuses a secret key that is neither a seed nor an expanded key, and a damaged ML-KEM expanded key', (name) => {
    expect(() => backends[name].mlDsa65.sign(message, new Uint8Array(33))).toThrow(/32-byte seed or a 4032-byte expanded key/);
    const { ciphertext } = backends[name].mlKem768.encapsulate(mlKem768Pkcs8Vector.publicKey);
    expect(() => backends[name].mlKem768.decapsulate(ciphertext, new Uint8Array(2399))).toThrow(/64-byte seed or a 2400-byte expanded key/);
    const damaged = Uint8Array.from(kemKey(Pkcs8Form.expandedKey));
    damaged[2340] = (damaged[2340] ?? 0) ^ 1;
    expect(() => backends[name].mlKem768.decapsulate(ciphertext, damaged)).toThrow(PrivateKeyError);
  });
});
