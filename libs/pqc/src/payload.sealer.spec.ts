import { beforeAll, describe, expect, it } from '@jest/globals';
import { createLiboqsBackend } from './liboqs.backend.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import type { PqcOperationSample } from './operation-metrics.js';
import { createPayloadSealer, type PayloadSealer, type SealedPayload } from './payload.sealer.js';
import { OpenFailedError } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { createXWing, type XWingKeyPair } from './x-wing.kem.js';

const binding = { subject: 'mapek.actuate.checkout', eventId: '01936f4e-7c3a-7b2e-9f00-000000000001' };

function tamper(sealed: SealedPayload, field: 'enc' | 'nonce' | 'ciphertext' | 'tag'): SealedPayload {
  const bytes = Buffer.from(sealed[field], 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return { ...sealed, [field]: bytes.toString('base64url') };
}

describe('sealing payloads with X-Wing + HKDF-SHA-256 + AES-256-GCM', () => {
  let backends: Record<'node' | 'liboqs', PqcBackend>;
  let recipient: XWingKeyPair;
  let sealer: PayloadSealer;
  beforeAll(async () => {
    backends = { node: createNodeCryptoBackend(), liboqs: await createLiboqsBackend() };
    recipient = createXWing(backends.node).generateKeyPair();
    sealer = createPayloadSealer(backends.node);
  });

  it('opens what it sealed, across backends, with base64url fields', () => {
    const payload = JSON.stringify({ action: 'restart', replicas: 3 });
    const sealed = createPayloadSealer(backends.liboqs).seal(payload, { kid: 'xwing:r1', publicKey: recipient.publicKey }, binding);
    for (const field of ['enc', 'nonce', 'ciphertext', 'tag'] as const) expect(sealed[field]).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(sealer.open(sealed, recipient.secretKey, binding)).toString('utf8')).toBe(payload);
  });

  it('uses a fresh KEM ciphertext and nonce for every message', () => {
    const a = sealer.seal('same', { kid: 'k', publicKey: recipient.publicKey }, binding);
    const b = sealer.seal('same', { kid: 'k', publicKey: recipient.publicKey }, binding);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.enc).not.toBe(b.enc);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('refuses to open under another subject or event id', () => {
    const sealed = sealer.seal('payload', { kid: 'k', publicKey: recipient.publicKey }, binding);
    expect(() => sealer.open(sealed, recipient.secretKey, { ...binding, subject: 'mapek.actuate.other' })).toThrow(OpenFailedError);
    expect(() => sealer.open(sealed, recipient.secretKey, { ...binding, eventId: 'another' })).toThrow(OpenFailedError);
    expect(() => sealer.open({ ...sealed, kid: 'other' }, recipient.secretKey, binding)).toThrow(OpenFailedError);
  });

  it.each(['enc', 'nonce', 'ciphertext', 'tag'] as const)('refuses a payload with a flipped byte in %s', (field) => {
    const sealed = sealer.seal('payload', { kid: 'k', publicKey: recipient.publicKey }, binding);
    expect(() => sealer.open(tamper(sealed, field), recipient.secretKey, binding)).toThrow(OpenFailedError);
  });

  it('refuses to open with another recipient key', () => {
    const other = createXWing(backends.node).generateKeyPair();
    const sealed = sealer.seal('payload', { kid: 'k', publicKey: recipient.publicKey }, binding);
    expect(() => sealer.open(sealed, other.secretKey, binding)).toThrow(OpenFailedError);
  });

  it('reports seal and open durations to the observer', () => {
    const samples: PqcOperationSample[] = [];
    const observed = createPayloadSealer(backends.node, (sample) => samples.push(sample));
    observed.open(observed.seal('x', { kid: 'k', publicKey: recipient.publicKey }, binding), recipient.secretKey, binding);
    expect(samples.map((s) => [s.op, s.alg, s.backend])).toEqual([
      ['seal', 'X-Wing', 'node'],
      ['open', 'X-Wing', 'node'],
    ]);
    expect(samples.every((s) => s.seconds > 0)).toBe(true);
  });
});
