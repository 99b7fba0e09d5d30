import { Algorithm, BackendName } from './algorithms.constants.js';
import { createLiboqsBackend } from './liboqs.backend.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import { type PqcOperationObserver, timed } from './operation-metrics.js';
import { BackendUnavailableError } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';

export const BackendChoice = { ...BackendName, auto: 'auto' } as const;
export type BackendChoice = (typeof BackendChoice)[keyof typeof BackendChoice];

/**
 * Proves a backend works: ML-DSA keygen/sign/verify (and rejects a flipped signature byte) and
 * ML-KEM keygen/encapsulate/decapsulate. Throws BackendUnavailableError otherwise.
 */
export function selfTestBackend(backend: PqcBackend): void {
  try {
    const message = new TextEncoder().encode('mapek pqc self-test');
    const signer = backend.mlDsa65.generateKeyPair();
    const signature = backend.mlDsa65.sign(message, signer.secretKey);
    const tampered = Uint8Array.from(signature);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    const kem = backend.mlKem768.generateKeyPair();
    const { ciphertext, sharedSecret } = backend.mlKem768.encapsulate(kem.publicKey);
    const decapsulated = backend.mlKem768.decapsulate(ciphertext, kem.secretKey);
    const ok =
      backend.mlDsa65.verify(message, signature, signer.publicKey) &&
      !backend.mlDsa65.verify(message, tampered, signer.publicKey) &&
      Buffer.compare(sharedSecret, decapsulated) === 0;
    if (!ok) throw new Error('round trip mismatch');
  } catch (cause) {
    throw new BackendUnavailableError(`${backend.name} backend failed its self-test`, { cause });
  }
}

async function create(name: BackendName): Promise<PqcBackend> {
  switch (name) {
    case BackendName.node:
      return createNodeCryptoBackend();
    case BackendName.liboqs:
      return createLiboqsBackend();
  }
}

/**
 * Loads and self-tests a backend. `auto` prefers Node's crypto (native OpenSSL) and falls back to
 * liboqs. Pass `observer` to time every operation.
 */
export async function loadPqcBackend(options: { backend?: BackendChoice; observer?: PqcOperationObserver } = {}): Promise<PqcBackend> {
  const choice = options.backend ?? BackendChoice.auto;
  const order: readonly BackendName[] = choice === BackendChoice.auto ? [BackendName.node, BackendName.liboqs] : [choice];
  const failures: unknown[] = [];
  for (const name of order) {
    try {
      const backend = await create(name);
      selfTestBackend(backend);
      return options.observer ? instrumentBackend(backend, options.observer) : backend;
    } catch (cause) {
      failures.push(cause);
    }
  }
  throw new BackendUnavailableError(`no PQC backend works (tried ${order.join(', ')})`, {
    cause: failures.length === 1 ? failures[0] : new AggregateError(failures),
  });
}

/** Wraps a backend so each operation reports `{op, alg, backend, seconds}` to `observer`. */
export function instrumentBackend(backend: PqcBackend, observer: PqcOperationObserver): PqcBackend {
  const { name, mlKem768: kem, mlDsa65: dsa } = backend;
  return {
    name,
    mlKem768: {
      generateKeyPair: () => timed(observer, 'keygen', Algorithm.mlKem768, name, () => kem.generateKeyPair()),
      keyPairFromSeed: (seed) => timed(observer, 'keygen', Algorithm.mlKem768, name, () => kem.keyPairFromSeed(seed)),
      encapsulate: (pk) => timed(observer, 'encapsulate', Algorithm.mlKem768, name, () => kem.encapsulate(pk)),
      decapsulate: (ct, sk) => timed(observer, 'decapsulate', Algorithm.mlKem768, name, () => kem.decapsulate(ct, sk)),
    },
    mlDsa65: {
      generateKeyPair: () => timed(observer, 'keygen', Algorithm.mlDsa65, name, () => dsa.generateKeyPair()),
      keyPairFromSeed: (seed) => timed(observer, 'keygen', Algorithm.mlDsa65, name, () => dsa.keyPairFromSeed(seed)),
      sign: (m, sk) => timed(observer, 'sign', Algorithm.mlDsa65, name, () => dsa.sign(m, sk)),
      verify: (m, s, pk) => timed(observer, 'verify', Algorithm.mlDsa65, name, () => dsa.verify(m, s, pk)),
    },
  };
}
