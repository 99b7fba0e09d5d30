import { MapekError } from '@mapek/contracts';
/**
 * Named errors of @mapek/pqc. Each carries a machine-readable `code` and an explicit `retryable`;
 * callers branch on `code`, never on message text.
 */
export abstract class PqcError extends MapekError {}

export const PqcReadinessCode = {
  backendUnavailable: 'pqc_backend_unavailable',
  identityMissing: 'pqc_identity_missing',
  trustBundleInvalid: 'pqc_trust_bundle_invalid',
} as const;
export type PqcReadinessCode = (typeof PqcReadinessCode)[keyof typeof PqcReadinessCode];

/** PQC is required but cannot be used: no working backend, missing identity files, bad bundle. */
export class PqcNotReadyError extends PqcError {
  readonly retryable = false;
  constructor(
    readonly code: PqcReadinessCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A backend could not be loaded or failed its self-test. */
export class BackendUnavailableError extends PqcError {
  readonly code = 'backend_unavailable';
  readonly retryable = false;
}

/** A backend was asked for something it cannot do. */
export class UnsupportedOperationError extends PqcError {
  readonly code = 'unsupported_operation';
  readonly retryable = false;
}

/** Input of the wrong size or encoding (keys, ciphertexts, base64url fields). */
export class InvalidInputError extends PqcError {
  readonly code = 'invalid_input';
  readonly retryable = false;
}

export const PrivateKeyErrorCode = {
  /** Not DER, not a PKCS#8 OneAsymmetricKey, or a privateKey that is none of the three forms. */
  malformed: 'private_key_malformed',
  /** The algorithm is neither ML-KEM-768 nor ML-DSA-65 (or carries parameters). */
  unsupportedAlgorithm: 'private_key_unsupported_algorithm',
  /** A seed or expanded key of the wrong length for its algorithm. */
  wrongSize: 'private_key_wrong_size',
  /** The halves of a `both` key, or the private and public key, belong to different keys. */
  inconsistent: 'private_key_inconsistent',
} as const;
export type PrivateKeyErrorCode = (typeof PrivateKeyErrorCode)[keyof typeof PrivateKeyErrorCode];

/** A PKCS#8 ML-KEM-768 / ML-DSA-65 private key, or a stored key, that we refuse to use. */
export class PrivateKeyError extends PqcError {
  readonly retryable = false;
  constructor(
    readonly code: PrivateKeyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A sealed payload could not be opened: wrong key, wrong subject/event id, or tampering. */
export class OpenFailedError extends PqcError {
  readonly code = 'open_failed';
  readonly retryable = false;
}

/** Canonical JSON cannot represent the value (undefined in arrays, NaN, bigint, functions...). */
export class CanonicalJsonError extends PqcError {
  readonly code = 'canonical_json';
  readonly retryable = false;
}

export const TrustBundleErrorCode = {
  badSignature: 'bundle_bad_signature',
  expired: 'bundle_expired',
  malformed: 'bundle_malformed',
} as const;
export type TrustBundleErrorCode = (typeof TrustBundleErrorCode)[keyof typeof TrustBundleErrorCode];

export class TrustBundleError extends PqcError {
  readonly retryable = false;
  constructor(
    readonly code: TrustBundleErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a signed event was rejected. These strings are wire values (metrics labels, audit). */
export const RejectionReason = {
  badSignature: 'bad_signature',
  unknownKey: 'unknown_key',
  notAuthorized: 'not_authorized',
  replay: 'replay',
  stale: 'stale',
} as const;
export type RejectionReason = (typeof RejectionReason)[keyof typeof RejectionReason];

/** Thrown by `EventVerifier.verifyOrThrow`; `reason` is one of the five rejection codes. */
export class EventRejectedError extends PqcError {
  readonly retryable = false;
  get code(): RejectionReason {
    return this.reason;
  }
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }
}
