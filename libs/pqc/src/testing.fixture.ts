// Test-only helpers: a CA, identities and a signed trust bundle built in memory.
import { Algorithm } from './algorithms.constants.js';
import { toBase64Url } from './bytes.codec.js';
import { keyIdFor } from './key-id.js';
import type { PqcBackend, RawKeyPair } from './pqc-backend.types.js';
import { openTrustBundle, signTrustBundle, type TrustBundle, type TrustStore } from './trust-bundle.js';
import { createXWing, type XWingKeyPair } from './x-wing.kem.js';

export interface FixtureIdentity {
  readonly name: string;
  readonly signing: RawKeyPair & { readonly kid: string };
  readonly kem: XWingKeyPair & { readonly kid: string };
}

export interface Fixture {
  readonly ca: RawKeyPair & { readonly kid: string };
  readonly identities: Readonly<Record<string, FixtureIdentity>>;
  readonly bundle: TrustBundle;
  readonly trust: TrustStore;
}

const hour = 3_600_000;

export function buildFixture(backend: PqcBackend, names: readonly string[], now: number = Date.now()): Fixture {
  const caPair = backend.mlDsa65.generateKeyPair();
  const ca = { ...caPair, kid: keyIdFor(Algorithm.mlDsa65, caPair.publicKey) };
  const xWing = createXWing(backend);
  const iso = (ms: number) => new Date(ms).toISOString();
  const identities: Record<string, FixtureIdentity> = {};
  for (const name of names) {
    const signing = backend.mlDsa65.generateKeyPair();
    const kem = xWing.generateKeyPair();
    identities[name] = {
      name,
      signing: { ...signing, kid: keyIdFor(Algorithm.mlDsa65, signing.publicKey) },
      kem: { ...kem, kid: keyIdFor(Algorithm.xWing, kem.publicKey) },
    };
  }
  const bundle: TrustBundle = {
    v: 1,
    trustDomain: 'mapek.test',
    issuedAt: iso(now),
    notBefore: iso(now - hour),
    notAfter: iso(now + 24 * hour),
    identities: Object.values(identities).map((identity) => ({
      name: identity.name,
      spiffeId: `spiffe://mapek.test/${identity.name}`,
      keys: [
        {
          kid: identity.signing.kid,
          use: 'sig',
          alg: Algorithm.mlDsa65,
          publicKey: toBase64Url(identity.signing.publicKey),
          notBefore: iso(now - hour),
          notAfter: iso(now + 24 * hour),
        },
        {
          kid: identity.kem.kid,
          use: 'kem',
          alg: Algorithm.xWing,
          publicKey: toBase64Url(identity.kem.publicKey),
          notBefore: iso(now - hour),
          notAfter: iso(now + 24 * hour),
        },
      ],
    })),
  };
  const signed = signTrustBundle(backend, bundle, { kid: ca.kid, secretKey: ca.secretKey });
  return { ca, identities, bundle, trust: openTrustBundle(backend, signed, { kid: ca.kid, publicKey: ca.publicKey }, now) };
}
