import { describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import { PqcNotReadyError } from './pqc.errors.js';
import { assertPqcReady } from './pqc-readiness.js';
import type { PqcBackend } from './pqc-backend.types.js';

const brokenBackend = (): Promise<PqcBackend> => {
  const node = createNodeCryptoBackend();
  return Promise.resolve({ ...node, mlDsa65: { ...node.mlDsa65, verify: () => true } });
};

describe('assertPqcReady', () => {
  it('loads and self-tests a working backend', async () => {
    const readiness = await assertPqcReady({ required: true, backend: 'liboqs' });
    expect(readiness).toMatchObject({ ready: true, backend: { name: 'liboqs' } });
  });

  it('throws pqc_backend_unavailable when PQC is required and the backend fails its self-test', async () => {
    await expect(assertPqcReady({ required: true, loadBackend: brokenBackend })).rejects.toMatchObject({
      name: 'PqcNotReadyError',
      code: 'pqc_backend_unavailable',
      retryable: false,
    });
  });

  it('reports instead of throwing when PQC is optional', async () => {
    const readiness = await assertPqcReady({ required: false, loadBackend: brokenBackend });
    expect(readiness.ready).toBe(false);
  });

  it('throws pqc_identity_missing naming the missing files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pqc-ready-'));
    const failure = assertPqcReady({ required: true, identity: { dir, name: 'planner' } });
    await expect(failure).rejects.toBeInstanceOf(PqcNotReadyError);
    await expect(failure).rejects.toMatchObject({ code: 'pqc_identity_missing', message: expect.stringContaining('pqc-keys.json') });
  });
});
