import { describe, expect, it } from '@jest/globals';
import { loadPqcBackend, selfTestBackend } from './backend.loader.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import type { PqcOperationSample } from './operation-metrics.js';
import { BackendUnavailableError } from './pqc.errors.js';

describe('loading a backend', () => {
  it('prefers the node backend when asked for auto', async () => {
    expect((await loadPqcBackend()).name).toBe('node');
  });

  it('reports every operation with op, alg, backend and seconds', async () => {
    const samples: PqcOperationSample[] = [];
    const backend = await loadPqcBackend({ backend: 'liboqs', observer: (sample) => samples.push(sample) });
    const keys = backend.mlDsa65.generateKeyPair();
    backend.mlDsa65.verify(new Uint8Array(1), backend.mlDsa65.sign(new Uint8Array(1), keys.secretKey), keys.publicKey);
    const kem = backend.mlKem768.generateKeyPair();
    backend.mlKem768.decapsulate(backend.mlKem768.encapsulate(kem.publicKey).ciphertext, kem.secretKey);
    expect(samples.map(({ op, alg, backend: name }) => `${op} ${alg} ${name}`)).toEqual([
      'keygen ML-DSA-65 liboqs',
      'sign ML-DSA-65 liboqs',
      'verify ML-DSA-65 liboqs',
      'keygen ML-KEM-768 liboqs',
      'encapsulate ML-KEM-768 liboqs',
      'decapsulate ML-KEM-768 liboqs',
    ]);
    expect(samples.every((sample) => sample.seconds >= 0)).toBe(true);
  });

  it('keeps working when the observer throws', async () => {
    const backend = await loadPqcBackend({
      backend: 'node',
      observer: () => {
        throw new Error('metrics down');
      },
    });
    expect(backend.mlDsa65.generateKeyPair().publicKey).toHaveLength(1952);
  });

  it('fails the self-test of a backend that accepts forged signatures', () => {
    const node = createNodeCryptoBackend();
    expect(() => selfTestBackend({ ...node, mlDsa65: { ...node.mlDsa65, verify: () => true } })).toThrow(BackendUnavailableError);
  });
});
