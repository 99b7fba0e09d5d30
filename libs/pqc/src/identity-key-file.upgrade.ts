import { fromBase64Url } from './bytes.codec.js';
import {
  decodeSigningSecretKey,
  decodeXWingSecretKey,
  type IdentityKeyFile,
  IdentityKeyFileVersion,
  type StoredKemKey,
  type StoredSigningKey,
} from './identity-files.js';
import { mlDsa65KeyGen } from './ml-dsa-65.keygen.js';
import { PrivateKeyError, PrivateKeyErrorCode } from './pqc.errors.js';
import { bytesEqual } from './private-key.forms.js';
import { expandXWingSeed } from './x-wing.kem.js';

/** What upgrading did to one stored key. */
export const KeyUpgradeOutcome = {
  /** Already stored as its seed only. */
  unchanged: 'unchanged',
  /** Had a seed and expanded fields; the expanded fields derive from the seed and were dropped. */
  seedOnly: 'seed_only',
  /** Has no seed (written by v1): it keeps working from its expanded key; rotate it to get a seed. */
  keptExpanded: 'kept_expanded',
} as const;
export type KeyUpgradeOutcome = (typeof KeyUpgradeOutcome)[keyof typeof KeyUpgradeOutcome];

export interface KeyUpgrade<T> {
  readonly key: T;
  readonly kid: string;
  readonly outcome: KeyUpgradeOutcome;
}

const disagree = (kid: string, what: string) =>
  new PrivateKeyError(PrivateKeyErrorCode.inconsistent, `key ${kid}: the stored ${what} is not the one its seed derives`);

/**
 * A signing key in its v2 form. Every key is first checked against its public key
 * (decodeSigningSecretKey); an expanded key is dropped only after checking that the seed derives it.
 */
export function upgradeSigningKey(stored: StoredSigningKey): KeyUpgrade<StoredSigningKey> {
  decodeSigningSecretKey(stored);
  const { seed, secretKey, ...meta } = stored;
  if (seed === undefined) return { key: stored, kid: stored.kid, outcome: KeyUpgradeOutcome.keptExpanded };
  if (secretKey === undefined) return { key: stored, kid: stored.kid, outcome: KeyUpgradeOutcome.unchanged };
  const derived = mlDsa65KeyGen(fromBase64Url(seed, `${stored.kid}.seed`)).expandedKey;
  if (!bytesEqual(derived, fromBase64Url(secretKey, `${stored.kid}.secretKey`))) throw disagree(stored.kid, 'secretKey');
  return { key: { ...meta, seed }, kid: stored.kid, outcome: KeyUpgradeOutcome.seedOnly };
}

/** An X-Wing key in its v2 form, with the same checks as upgradeSigningKey. */
export function upgradeKemKey(stored: StoredKemKey): KeyUpgrade<StoredKemKey> {
  decodeXWingSecretKey(stored);
  const { seed, mlKemSecretKey, x25519SecretKey, x25519PublicKey, ...meta } = stored;
  if (seed === undefined) return { key: stored, kid: stored.kid, outcome: KeyUpgradeOutcome.keptExpanded };
  if (mlKemSecretKey === undefined && x25519SecretKey === undefined && x25519PublicKey === undefined) {
    return { key: stored, kid: stored.kid, outcome: KeyUpgradeOutcome.unchanged };
  }
  const derived = expandXWingSeed(fromBase64Url(seed, `${stored.kid}.seed`)).secretKey;
  const same = (field: string, value: string | undefined, expected: Uint8Array) =>
    value === undefined || bytesEqual(fromBase64Url(value, `${stored.kid}.${field}`), expected);
  if (!same('mlKemSecretKey', mlKemSecretKey, derived.mlKemSecretKey)) throw disagree(stored.kid, 'mlKemSecretKey');
  if (!same('x25519SecretKey', x25519SecretKey, derived.x25519SecretKey)) throw disagree(stored.kid, 'x25519SecretKey');
  if (!same('x25519PublicKey', x25519PublicKey, derived.x25519PublicKey)) throw disagree(stored.kid, 'x25519PublicKey');
  return { key: { ...meta, seed }, kid: stored.kid, outcome: KeyUpgradeOutcome.seedOnly };
}

export interface IdentityKeyFileUpgrade {
  /** The file as v2. */
  readonly file: IdentityKeyFile;
  /** The version it had. */
  readonly from: IdentityKeyFileVersion;
  readonly keys: readonly KeyUpgrade<StoredSigningKey | StoredKemKey>[];
  /** Whether `file` differs from the input, i.e. whether it needs writing. */
  readonly changed: boolean;
}

/**
 * Rewrites a key file of any version as v2: keys with a seed keep only the seed; keys without one
 * (v1 signing keys, whose seed was never stored) keep their expanded key. Throws
 * PrivateKeyError / InvalidInputError, changing nothing, when a key is damaged or inconsistent.
 */
export function upgradeIdentityKeyFile(file: IdentityKeyFile): IdentityKeyFileUpgrade {
  const signing = file.signing.map(upgradeSigningKey);
  const kem = file.kem.map(upgradeKemKey);
  const keys = [...signing, ...kem];
  return {
    file: { ...file, v: IdentityKeyFileVersion.seeds, signing: signing.map((k) => k.key), kem: kem.map((k) => k.key) },
    from: file.v,
    keys,
    changed: file.v !== IdentityKeyFileVersion.seeds || keys.some((k) => k.outcome === KeyUpgradeOutcome.seedOnly),
  };
}
