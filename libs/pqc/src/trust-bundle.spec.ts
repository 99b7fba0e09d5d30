import { beforeAll, describe, expect, it } from '@jest/globals';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import { TrustBundleError } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { buildFixture, type Fixture } from './testing.fixture.js';
import { openTrustBundle, signTrustBundle } from './trust-bundle.js';

describe('trust bundle', () => {
  const now = Date.parse('2026-11-25T10:00:00Z');
  let backend: PqcBackend;
  let fixture: Fixture;
  beforeAll(() => {
    backend = createNodeCryptoBackend();
    fixture = buildFixture(backend, ['planner', 'executor', 'agent'], now);
  });
  const ca = () => ({ kid: fixture.ca.kid, publicKey: fixture.ca.publicKey });
  const sign = () => signTrustBundle(backend, fixture.bundle, { kid: fixture.ca.kid, secretKey: fixture.ca.secretKey });

  it('resolves identities by name and SPIFFE id and gives the recipient key to seal for', () => {
    const trust = openTrustBundle(backend, sign(), ca(), now);
    expect(trust.identity('spiffe://mapek.test/agent')).toEqual({ name: 'agent', spiffeId: 'spiffe://mapek.test/agent' });
    expect(trust.recipientKey('agent', now)?.kid).toBe(fixture.identities.agent?.kem.kid);
    expect(trust.recipientKey('nobody', now)).toBeUndefined();
  });

  it('refuses a bundle whose contents were changed after signing', () => {
    const signed = sign();
    const tampered = { ...signed, bundle: { ...signed.bundle, trustDomain: 'evil.test' } };
    expect(() => openTrustBundle(backend, tampered, ca(), now)).toThrow(TrustBundleError);
  });

  it('refuses a bundle signed by another CA', () => {
    const other = backend.mlDsa65.generateKeyPair();
    const signed = signTrustBundle(backend, fixture.bundle, { kid: fixture.ca.kid, secretKey: other.secretKey });
    expect(() => openTrustBundle(backend, signed, ca(), now)).toThrow(expect.objectContaining({ code: 'bundle_bad_signature' }));
  });

  it('refuses a bundle outside its validity window', () => {
    expect(() => openTrustBundle(backend, sign(), ca(), now + 48 * 3_600_000)).toThrow(expect.objectContaining({ code: 'bundle_expired' }));
  });
});
