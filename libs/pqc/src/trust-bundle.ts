import { Algorithm, Sizes } from './algorithms.constants.js';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from './bytes.codec.js';
import { canonicalJsonBytes } from './canonical-json.codec.js';
import { PqcError, TrustBundleError, TrustBundleErrorCode } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import type { SealRecipient } from './payload.sealer.js';

export const KeyUse = { sig: 'sig', kem: 'kem' } as const;
export type KeyUse = (typeof KeyUse)[keyof typeof KeyUse];

/** One public key of an identity. Several may be valid at once while keys rotate. */
export interface TrustBundleKey {
  readonly kid: string;
  readonly use: KeyUse;
  readonly alg: typeof Algorithm.mlDsa65 | typeof Algorithm.xWing;
  /** base64url */
  readonly publicKey: string;
  /** ISO-8601 instants bounding the key's validity. */
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface TrustBundleIdentity {
  /** Service name as used in envelopes' `source` ("planner"). */
  readonly name: string;
  readonly spiffeId: string;
  readonly keys: readonly TrustBundleKey[];
}

/** identity → public keys, with a validity window; signed by the CA's ML-DSA-65 key. */
export interface TrustBundle {
  readonly v: 1;
  readonly trustDomain: string;
  readonly issuedAt: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly identities: readonly TrustBundleIdentity[];
}

export interface DetachedSignature {
  readonly alg: typeof Algorithm.mlDsa65;
  readonly kid: string;
  /** base64url */
  readonly sig: string;
}

export interface SignedTrustBundle {
  readonly bundle: TrustBundle;
  readonly signature: DetachedSignature;
}

/** A raw ML-DSA-65 key pair with its key id (the CA's, or a service's). */
export interface SigningKey {
  readonly kid: string;
  readonly secretKey: Uint8Array;
}

export interface VerificationKey {
  readonly kid: string;
  readonly publicKey: Uint8Array;
}

const bundleContext = utf8('mapek.trust-bundle.v1\n');

function bundleSigningInput(bundle: TrustBundle): Uint8Array {
  return concatBytes(bundleContext, canonicalJsonBytes(bundle));
}

export function signTrustBundle(backend: PqcBackend, bundle: TrustBundle, ca: SigningKey): SignedTrustBundle {
  const sig = backend.mlDsa65.sign(bundleSigningInput(bundle), ca.secretKey);
  return { bundle, signature: { alg: Algorithm.mlDsa65, kid: ca.kid, sig: toBase64Url(sig) } };
}

interface ResolvedKey {
  readonly kid: string;
  readonly use: KeyUse;
  readonly publicKey: Uint8Array;
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface TrustedIdentity {
  readonly name: string;
  readonly spiffeId: string;
}

/** Lookups over a verified trust bundle. Times are epoch milliseconds. */
export interface TrustStore {
  readonly trustDomain: string;
  readonly notAfter: number;
  /** By service name or SPIFFE id. */
  identity(nameOrSpiffeId: string): TrustedIdentity | undefined;
  /** The ML-DSA-65 public key `kid` of `source`, if it is valid at `at`. */
  verificationKey(source: string, kid: string, at: number): Uint8Array | undefined;
  /** The newest X-Wing key of `name` valid at `at`: the one to seal payloads for. */
  recipientKey(name: string, at: number): SealRecipient | undefined;
}

function parseTime(text: string, field: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new TrustBundleError(TrustBundleErrorCode.malformed, `${field} is not an ISO-8601 time`);
  return ms;
}

/**
 * Verifies the CA signature and validity window and returns the lookups. Throws TrustBundleError
 * with code bundle_bad_signature, bundle_expired or bundle_malformed.
 */
export function openTrustBundle(backend: PqcBackend, signed: SignedTrustBundle, ca: VerificationKey, now: number = Date.now()): TrustStore {
  const { bundle, signature } = signed;
  let sig: Uint8Array;
  try {
    sig = fromBase64Url(signature.sig, 'bundle signature');
  } catch (cause) {
    throw new TrustBundleError(TrustBundleErrorCode.malformed, 'bundle signature is not base64url', { cause });
  }
  if (
    signature.alg !== Algorithm.mlDsa65 ||
    signature.kid !== ca.kid ||
    !backend.mlDsa65.verify(bundleSigningInput(bundle), sig, ca.publicKey)
  ) {
    throw new TrustBundleError(TrustBundleErrorCode.badSignature, 'trust bundle is not signed by the CA key');
  }
  const notBefore = parseTime(bundle.notBefore, 'notBefore');
  const notAfter = parseTime(bundle.notAfter, 'notAfter');
  if (now < notBefore || now > notAfter) {
    throw new TrustBundleError(TrustBundleErrorCode.expired, `trust bundle valid ${bundle.notBefore} .. ${bundle.notAfter}`);
  }
  const byName = new Map<string, { identity: TrustedIdentity; keys: ResolvedKey[] }>();
  const bySpiffe = new Map<string, string>();
  for (const identity of bundle.identities) {
    const keys = identity.keys.map((key) => {
      const expected = key.use === KeyUse.sig ? Sizes.mlDsa65PublicKey : Sizes.xWingPublicKey;
      try {
        return {
          kid: key.kid,
          use: key.use,
          publicKey: fromBase64Url(key.publicKey, `${identity.name} ${key.kid}`, expected),
          notBefore: parseTime(key.notBefore, `${key.kid}.notBefore`),
          notAfter: parseTime(key.notAfter, `${key.kid}.notAfter`),
        };
      } catch (cause) {
        if (cause instanceof TrustBundleError) throw cause;
        throw new TrustBundleError(TrustBundleErrorCode.malformed, `bad key ${key.kid} of ${identity.name}`, {
          cause: cause instanceof PqcError ? cause : undefined,
        });
      }
    });
    byName.set(identity.name, { identity: { name: identity.name, spiffeId: identity.spiffeId }, keys });
    bySpiffe.set(identity.spiffeId, identity.name);
  }
  const entry = (nameOrSpiffeId: string) => byName.get(bySpiffe.get(nameOrSpiffeId) ?? nameOrSpiffeId);
  // A key is usable only inside its own window and the bundle's.
  const valid = (key: ResolvedKey, at: number) => at >= key.notBefore && at <= key.notAfter && at >= notBefore && at <= notAfter;
  return {
    trustDomain: bundle.trustDomain,
    notAfter,
    identity: (nameOrSpiffeId) => entry(nameOrSpiffeId)?.identity,
    verificationKey: (source, kid, at) =>
      entry(source)?.keys.find((key) => key.use === KeyUse.sig && key.kid === kid && valid(key, at))?.publicKey,
    recipientKey: (name, at) => {
      const candidates = (entry(name)?.keys ?? []).filter((key) => key.use === KeyUse.kem && valid(key, at));
      const newest = candidates.sort((a, b) => b.notBefore - a.notBefore)[0];
      return newest && { kid: newest.kid, publicKey: newest.publicKey };
    },
  };
}
