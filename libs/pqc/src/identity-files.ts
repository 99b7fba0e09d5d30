import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Algorithm, Sizes } from './algorithms.constants.js';
import { fromBase64Url, toBase64Url } from './bytes.codec.js';
import { PqcNotReadyError, PqcReadinessCode } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { openTrustBundle, type SignedTrustBundle, type SigningKey, type TrustStore, type VerificationKey } from './trust-bundle.js';
import type { XWingSecretKey } from './x-wing.kem.js';

/**
 * Files `mapek pki` writes and services read (all under one directory, default ./certs):
 *   ca.crt                        development CA certificate (PEM), the TLS trust anchor
 *   ca.ml-dsa-65.pub.json         CA ML-DSA-65 public key {kid, alg, publicKey}, the bundle anchor
 *   trust-bundle.json             SignedTrustBundle
 *   <name>/tls.crt, <name>/tls.key      X.509 certificate (SAN URI spiffe://<td>/<name>) and key
 *   <name>/pqc-keys.json          IdentityKeyFile: ML-DSA-65 and X-Wing key pairs (mode 0600)
 *   ca/ …                         CA secrets, never mounted into services
 */
export function trustPaths(dir: string) {
  return {
    caCert: path.join(dir, 'ca.crt'),
    caPublicKey: path.join(dir, 'ca.ml-dsa-65.pub.json'),
    trustBundle: path.join(dir, 'trust-bundle.json'),
  } as const;
}

export function identityPaths(dir: string, name: string) {
  return {
    ...trustPaths(dir),
    cert: path.join(dir, name, 'tls.crt'),
    key: path.join(dir, name, 'tls.key'),
    pqcKeys: path.join(dir, name, 'pqc-keys.json'),
  } as const;
}

export interface StoredSigningKey {
  readonly kid: string;
  readonly alg: typeof Algorithm.mlDsa65;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly publicKey: string;
  /** FIPS 204 expanded secret key, base64url */
  readonly secretKey: string;
}

export interface StoredKemKey {
  readonly kid: string;
  readonly alg: typeof Algorithm.xWing;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly publicKey: string;
  /** The draft's 32-byte X-Wing private key, when known. */
  readonly seed?: string;
  readonly mlKemSecretKey: string;
  readonly x25519SecretKey: string;
  readonly x25519PublicKey: string;
}

export interface IdentityKeyFile {
  readonly v: 1;
  readonly name: string;
  readonly spiffeId: string;
  readonly signing: readonly StoredSigningKey[];
  readonly kem: readonly StoredKemKey[];
}

export interface StoredPublicKey {
  readonly kid: string;
  readonly alg: typeof Algorithm.mlDsa65;
  readonly publicKey: string;
}

export function encodeXWingSecretKey(secretKey: XWingSecretKey) {
  return {
    ...(secretKey.seed && { seed: toBase64Url(secretKey.seed) }),
    mlKemSecretKey: toBase64Url(secretKey.mlKemSecretKey),
    x25519SecretKey: toBase64Url(secretKey.x25519SecretKey),
    x25519PublicKey: toBase64Url(secretKey.x25519PublicKey),
  };
}

export function decodeXWingSecretKey(stored: StoredKemKey): XWingSecretKey {
  return {
    ...(stored.seed !== undefined && { seed: fromBase64Url(stored.seed, 'seed', Sizes.xWingSeed) }),
    mlKemSecretKey: fromBase64Url(stored.mlKemSecretKey, 'mlKemSecretKey', Sizes.mlKem768SecretKey),
    x25519SecretKey: fromBase64Url(stored.x25519SecretKey, 'x25519SecretKey', Sizes.x25519),
    x25519PublicKey: fromBase64Url(stored.x25519PublicKey, 'x25519PublicKey', Sizes.x25519),
  };
}

/** A service's loaded credentials. Times are epoch milliseconds. */
export interface ServiceIdentity {
  readonly name: string;
  readonly spiffeId: string;
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
  /** The newest ML-DSA-65 key valid at `at` (sign with this). */
  signingKey(at?: number): SigningKey;
  /** The X-Wing secret key with this kid (open payloads sealed to any non-expired key). */
  kemSecretKey(kid: string): XWingSecretKey | undefined;
}

async function missingFiles(files: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const file of files) {
    try {
      await access(file);
    } catch {
      missing.push(file);
    }
  }
  return missing;
}

/** Throws PqcNotReadyError(pqc_identity_missing) naming every missing file. */
export async function loadServiceIdentity(dir: string, name: string): Promise<ServiceIdentity> {
  const paths = identityPaths(dir, name);
  const missing = await missingFiles([paths.caCert, paths.cert, paths.key, paths.pqcKeys]);
  if (missing.length > 0) {
    throw new PqcNotReadyError(
      PqcReadinessCode.identityMissing,
      `identity "${name}" is incomplete, missing: ${missing.join(', ')} (run: mapek pki init --out ${dir})`,
    );
  }
  const [cert, key, ca, keysJson] = await Promise.all(
    [paths.cert, paths.key, paths.caCert, paths.pqcKeys].map((file) => readFile(file, 'utf8')),
  );
  let file: IdentityKeyFile;
  try {
    file = JSON.parse(keysJson ?? '') as IdentityKeyFile;
  } catch (cause) {
    throw new PqcNotReadyError(PqcReadinessCode.identityMissing, `${paths.pqcKeys} is not JSON`, { cause });
  }
  const signing = file.signing.map((stored) => ({
    kid: stored.kid,
    notBefore: Date.parse(stored.notBefore),
    notAfter: Date.parse(stored.notAfter),
    secretKey: fromBase64Url(stored.secretKey, `${stored.kid}.secretKey`, Sizes.mlDsa65SecretKey),
  }));
  const kem = new Map(file.kem.map((stored) => [stored.kid, decodeXWingSecretKey(stored)] as const));
  if (signing.length === 0 || kem.size === 0) {
    throw new PqcNotReadyError(PqcReadinessCode.identityMissing, `${paths.pqcKeys} holds no signing or KEM key`);
  }
  return {
    name: file.name,
    spiffeId: file.spiffeId,
    tls: { cert: cert ?? '', key: key ?? '', ca: ca ?? '' },
    signingKey: (at = Date.now()) => {
      const current = signing
        .filter((k) => at >= k.notBefore && at <= k.notAfter)
        .sort((a, b) => b.notBefore - a.notBefore)[0];
      if (current === undefined) {
        throw new PqcNotReadyError(PqcReadinessCode.identityMissing, `identity "${name}" has no signing key valid now`);
      }
      return { kid: current.kid, secretKey: current.secretKey };
    },
    kemSecretKey: (kid) => kem.get(kid),
  };
}

export async function loadCaVerificationKey(dir: string): Promise<VerificationKey> {
  const stored = JSON.parse(await readFile(trustPaths(dir).caPublicKey, 'utf8')) as StoredPublicKey;
  return { kid: stored.kid, publicKey: fromBase64Url(stored.publicKey, 'CA publicKey', Sizes.mlDsa65PublicKey) };
}

/** Reads and verifies trust-bundle.json against ca.ml-dsa-65.pub.json. */
export async function loadTrustStore(backend: PqcBackend, dir: string, now: number = Date.now()): Promise<TrustStore> {
  const paths = trustPaths(dir);
  const missing = await missingFiles([paths.trustBundle, paths.caPublicKey]);
  if (missing.length > 0) {
    throw new PqcNotReadyError(PqcReadinessCode.identityMissing, `trust bundle files missing: ${missing.join(', ')}`);
  }
  const signed = JSON.parse(await readFile(paths.trustBundle, 'utf8')) as SignedTrustBundle;
  return openTrustBundle(backend, signed, await loadCaVerificationKey(dir), now);
}
