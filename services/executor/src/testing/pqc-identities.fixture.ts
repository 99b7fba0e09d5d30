// Test-only: identities with ML-DSA-65 and X-Wing keys and a CA-signed trust bundle, in memory,
// built through libs/pqc's public API (the files `mapek pki` writes are not needed in-process).
import {
  createXWing,
  keyIdFor,
  loadPqcBackend,
  openTrustBundle,
  signTrustBundle,
  toBase64Url,
  type PqcBackend,
  type ServiceIdentity,
  type TrustBundle,
  type TrustStore,
} from '@mapek/pqc';

export interface TestIdentities {
  readonly backend: PqcBackend;
  readonly trust: TrustStore;
  readonly identities: Readonly<Record<string, ServiceIdentity>>;
}

const hour = 3_600_000;

export async function createTestIdentities(names: readonly string[], now: number = Date.now()): Promise<TestIdentities> {
  const backend = await loadPqcBackend({ backend: 'node' });
  const xWing = createXWing(backend);
  const iso = (ms: number) => new Date(ms).toISOString();
  const validity = { notBefore: iso(now - hour), notAfter: iso(now + 24 * hour) };
  const ca = backend.mlDsa65.generateKeyPair();
  const caKid = keyIdFor('ML-DSA-65', ca.publicKey);
  const identities: Record<string, ServiceIdentity> = {};
  const entries: TrustBundle['identities'][number][] = [];
  for (const name of names) {
    const signing = backend.mlDsa65.generateKeyPair();
    const kem = xWing.generateKeyPair();
    const signingKid = keyIdFor('ML-DSA-65', signing.publicKey);
    const kemKid = keyIdFor('X-Wing', kem.publicKey);
    identities[name] = {
      name,
      spiffeId: `spiffe://mapek.test/${name}`,
      tls: { cert: '', key: '', ca: '' },
      signingKey: () => ({ kid: signingKid, secretKey: signing.secretKey }),
      kemSecretKey: (kid) => (kid === kemKid ? kem.secretKey : undefined),
    };
    entries.push({
      name,
      spiffeId: `spiffe://mapek.test/${name}`,
      keys: [
        { kid: signingKid, use: 'sig', alg: 'ML-DSA-65', publicKey: toBase64Url(signing.publicKey), ...validity },
        { kid: kemKid, use: 'kem', alg: 'X-Wing', publicKey: toBase64Url(kem.publicKey), ...validity },
      ],
    });
  }
  const bundle: TrustBundle = { v: 1, trustDomain: 'mapek.test', issuedAt: iso(now), ...validity, identities: entries };
  const signed = signTrustBundle(backend, bundle, { kid: caKid, secretKey: ca.secretKey });
  return { backend, trust: openTrustBundle(backend, signed, { kid: caKid, publicKey: ca.publicKey }, now), identities };
}
