import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Algorithm, Sizes } from './algorithms.constants.js';
import { fromBase64Url, toBase64Url } from './bytes.codec.js';
import { mlDsa65KeyGen } from './ml-dsa-65.keygen.js';
import { InvalidInputError, PqcNotReadyError, PqcReadinessCode, PrivateKeyError, PrivateKeyErrorCode } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import {
  bytesEqual,
  expandedKeyMatchesPublicKey,
  mlKemExpandedKeyIsWellFormed,
  SecretKeyForm,
  secretKeyForm,
} from './private-key.forms.js';
import { openTrustBundle, type SignedTrustBundle, type SigningKey, type TrustStore, type VerificationKey } from './trust-bundle.js';
import { expandXWingSeed, type XWingSecretKey } from './x-wing.kem.js';

/**
 * Files `mapek pki` writes and services read (all under one directory, default ./certs):
 *   ca.crt                        development CA certificate (PEM), the TLS trust anchor
 *   ca.ml-dsa-65.pub.json         CA ML-DSA-65 public key {kid, alg, publicKey}, the bundle anchor
 *   trust-bundle.json             SignedTrustBundle
 *   <name>/tls.crt, <name>/tls.key      X.509 certificate (SAN URI spiffe://<td>/<name>) and key
 *   <name>/pqc-keys.json          IdentityKeyFile: ML-DSA-65 and X-Wing keys, as seeds (mode 0600)
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

/**
 * Version of `pqc-keys.json`. v1 (before issue 9) stored expanded secret keys; v2 stores seeds, as
 * FIPS 203 §3.3 and FIPS 204 §3.6.3 recommend, and derives the rest when a key is used. Readers
 * accept both; `mapek pki` writes v2 (and `mapek pki migrate` rewrites v1 files).
 */
export const IdentityKeyFileVersion = {
  expandedKeys: 1,
  seeds: 2,
} as const;
export type IdentityKeyFileVersion = (typeof IdentityKeyFileVersion)[keyof typeof IdentityKeyFileVersion];

/**
 * An ML-DSA-65 signing key (also the CA's key, `ca/ca.ml-dsa-65.key.json`). It holds `seed` or,
 * only when it was written by v1, `secretKey`; never both.
 */
export interface StoredSigningKey {
  readonly kid: string;
  readonly alg: typeof Algorithm.mlDsa65;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly publicKey: string;
  /** v2: the 32-byte seed ξ, base64url. */
  readonly seed?: string;
  /** v1: the FIPS 204 expanded secret key (4032 bytes), base64url; its seed is unknown. */
  readonly secretKey?: string;
}

/** An X-Wing key. v2 holds `seed` only; v1 held the expanded fields, usually with `seed`. */
export interface StoredKemKey {
  readonly kid: string;
  readonly alg: typeof Algorithm.xWing;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly publicKey: string;
  /** The draft's 32-byte X-Wing decapsulation key, base64url. */
  readonly seed?: string;
  /** v1 expanded form: FIPS 203 decapsulation key (2400 bytes) and the X25519 pair, base64url. */
  readonly mlKemSecretKey?: string;
  readonly x25519SecretKey?: string;
  readonly x25519PublicKey?: string;
}

export interface IdentityKeyFile {
  readonly v: IdentityKeyFileVersion;
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

/** The stored fields for an ML-DSA-65 secret key: `seed` (32 bytes) or, expanded, `secretKey`. */
export function encodeSigningSecretKey(secretKey: Uint8Array): Pick<StoredSigningKey, 'seed' | 'secretKey'> {
  return secretKeyForm('mlDsa65', secretKey) === SecretKeyForm.seed
    ? { seed: toBase64Url(secretKey) }
    : { secretKey: toBase64Url(secretKey) };
}

const mismatch = (kid: string) =>
  new PrivateKeyError(PrivateKeyErrorCode.inconsistent, `key ${kid}: the secret key does not belong to the stored public key`);

/**
 * The secret key of a stored signing key (the seed, or a v1 expanded key), after checking that it
 * belongs to the stored public key. Throws InvalidInputError or PrivateKeyError.
 */
export function decodeSigningSecretKey(stored: StoredSigningKey): Uint8Array {
  const publicKey = fromBase64Url(stored.publicKey, `${stored.kid}.publicKey`, Sizes.mlDsa65PublicKey);
  if (stored.seed !== undefined) {
    const seed = fromBase64Url(stored.seed, `${stored.kid}.seed`, Sizes.mlDsa65Seed);
    if (!bytesEqual(mlDsa65KeyGen(seed).publicKey, publicKey)) throw mismatch(stored.kid);
    return seed;
  }
  if (stored.secretKey === undefined) throw new InvalidInputError(`key ${stored.kid} has neither seed nor secretKey`);
  const expanded = fromBase64Url(stored.secretKey, `${stored.kid}.secretKey`, Sizes.mlDsa65SecretKey);
  if (!expandedKeyMatchesPublicKey('mlDsa65', expanded, publicKey)) throw mismatch(stored.kid);
  return expanded;
}

/** The stored fields for an X-Wing secret key: `seed`, or the expanded fields of a v1 key. */
export function encodeXWingSecretKey(
  secretKey: XWingSecretKey,
): Pick<StoredKemKey, 'seed' | 'mlKemSecretKey' | 'x25519SecretKey' | 'x25519PublicKey'> {
  if (secretKey.seed !== undefined) return { seed: toBase64Url(secretKey.seed) };
  return {
    mlKemSecretKey: toBase64Url(secretKey.mlKemSecretKey),
    x25519SecretKey: toBase64Url(secretKey.x25519SecretKey),
    x25519PublicKey: toBase64Url(secretKey.x25519PublicKey),
  };
}

/**
 * The secret key of a stored X-Wing key: its seed when it has one (a v1 key's expanded fields are
 * then ignored), else the v1 expanded fields; checked against the stored public key.
 */
export function decodeXWingSecretKey(stored: StoredKemKey): XWingSecretKey {
  const publicKey = fromBase64Url(stored.publicKey, `${stored.kid}.publicKey`, Sizes.xWingPublicKey);
  if (stored.seed !== undefined) {
    const seed = fromBase64Url(stored.seed, `${stored.kid}.seed`, Sizes.xWingSeed);
    if (!bytesEqual(expandXWingSeed(seed).publicKey, publicKey)) throw mismatch(stored.kid);
    return { seed };
  }
  const { mlKemSecretKey, x25519SecretKey, x25519PublicKey } = stored;
  if (mlKemSecretKey === undefined || x25519SecretKey === undefined || x25519PublicKey === undefined) {
    throw new InvalidInputError(`key ${stored.kid} has neither seed nor mlKemSecretKey, x25519SecretKey and x25519PublicKey`);
  }
  const expanded: XWingSecretKey = {
    mlKemSecretKey: fromBase64Url(mlKemSecretKey, `${stored.kid}.mlKemSecretKey`, Sizes.mlKem768SecretKey),
    x25519SecretKey: fromBase64Url(x25519SecretKey, `${stored.kid}.x25519SecretKey`, Sizes.x25519),
    x25519PublicKey: fromBase64Url(x25519PublicKey, `${stored.kid}.x25519PublicKey`, Sizes.x25519),
  };
  const matches =
    expandedKeyMatchesPublicKey('mlKem768', expanded.mlKemSecretKey, publicKey.subarray(0, Sizes.mlKem768PublicKey)) &&
    mlKemExpandedKeyIsWellFormed(expanded.mlKemSecretKey) &&
    bytesEqual(expanded.x25519PublicKey, publicKey.subarray(Sizes.mlKem768PublicKey));
  if (!matches) throw mismatch(stored.kid);
  return expanded;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringFields = (value: Record<string, unknown>, fields: readonly string[], optional: readonly string[]) =>
  fields.every((field) => typeof value[field] === 'string') &&
  optional.every((field) => value[field] === undefined || typeof value[field] === 'string');
const keyFields = ['kid', 'alg', 'notBefore', 'notAfter', 'publicKey'] as const;

/** Parses `pqc-keys.json` of either version; throws InvalidInputError saying what is wrong. */
export function parseIdentityKeyFile(text: string): IdentityKeyFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError('not JSON', { cause });
  }
  const versions: readonly unknown[] = Object.values(IdentityKeyFileVersion);
  if (!isRecord(value) || !versions.includes(value.v))
    throw new InvalidInputError(`not an identity key file of version ${versions.join(' or ')}`);
  if (typeof value.name !== 'string' || typeof value.spiffeId !== 'string')
    throw new InvalidInputError('name and spiffeId must be strings');
  const { signing, kem } = value;
  if (
    !Array.isArray(signing) ||
    !signing.every((key) => isRecord(key) && key.alg === Algorithm.mlDsa65 && stringFields(key, keyFields, ['seed', 'secretKey']))
  ) {
    throw new InvalidInputError('signing must be a list of ML-DSA-65 keys');
  }
  const kemOptional = ['seed', 'mlKemSecretKey', 'x25519SecretKey', 'x25519PublicKey'];
  if (
    !Array.isArray(kem) ||
    !kem.every((key) => isRecord(key) && key.alg === Algorithm.xWing && stringFields(key, keyFields, kemOptional))
  ) {
    throw new InvalidInputError('kem must be a list of X-Wing keys');
  }
  return value as unknown as IdentityKeyFile;
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
  let signing: { kid: string; notBefore: number; notAfter: number; secretKey: Uint8Array }[];
  let kem: Map<string, XWingSecretKey>;
  try {
    file = parseIdentityKeyFile(keysJson ?? '');
    signing = file.signing.map((stored) => ({
      kid: stored.kid,
      notBefore: Date.parse(stored.notBefore),
      notAfter: Date.parse(stored.notAfter),
      secretKey: decodeSigningSecretKey(stored),
    }));
    kem = new Map(file.kem.map((stored) => [stored.kid, decodeXWingSecretKey(stored)] as const));
  } catch (cause) {
    throw new PqcNotReadyError(
      PqcReadinessCode.identityMissing,
      `${paths.pqcKeys}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  if (signing.length === 0 || kem.size === 0) {
    throw new PqcNotReadyError(PqcReadinessCode.identityMissing, `${paths.pqcKeys} holds no signing or KEM key`);
  }
  return {
    name: file.name,
    spiffeId: file.spiffeId,
    tls: { cert: cert ?? '', key: key ?? '', ca: ca ?? '' },
    signingKey: (at = Date.now()) => {
      const current = signing.filter((k) => at >= k.notBefore && at <= k.notAfter).sort((a, b) => b.notBefore - a.notBefore)[0];
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
