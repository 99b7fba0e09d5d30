export * from './algorithms.constants.js';
export * from './pqc.errors.js';
export type { Encapsulation, MlDsa65, MlKem768, PqcBackend, RawKeyPair } from './pqc-backend.types.js';
export { createNodeCryptoBackend } from './node-crypto.backend.js';
export { createLiboqsBackend } from './liboqs.backend.js';
export { BackendChoice, instrumentBackend, loadPqcBackend, selfTestBackend } from './backend.loader.js';
export { PqcOperation, type PqcOperationObserver, type PqcOperationSample } from './operation-metrics.js';
export {
  createXWing,
  expandXWingSeed,
  type XWing,
  type XWingExpandedSecretKey,
  type XWingKeyPair,
  type XWingSecretKey,
  type XWingSeedSecretKey,
} from './x-wing.kem.js';
export { decodePkcs8PrivateKey, encodePkcs8PrivateKey, Pkcs8Form, type Pkcs8PrivateKey, secretKeyOf } from './pkcs8.codec.js';
export { type LatticeAlgorithmId, SecretKeyForm, secretKeyForm } from './private-key.forms.js';
export { mlKem768KeyGen } from './ml-kem-768.keygen.js';
export { mlDsa65KeyGen } from './ml-dsa-65.keygen.js';
export { createPayloadSealer, type PayloadSealer, type SealBinding, type SealedPayload, type SealRecipient } from './payload.sealer.js';
export { canonicalJson, canonicalJsonBytes } from './canonical-json.codec.js';
export { keyIdFor } from './key-id.js';
export * from './trust-bundle.js';
export { createReplayGuard, type ReplayGuard } from './replay.guard.js';
export { type EventPolicy, isAuthorizedEmitter } from './event-policy.js';
export { SignatureHeader, signatureFromHeaders, signatureToHeaders } from './signature.headers.js';
export { createEventSigner, eventSigningInput, type EventEnvelope, type EventSigner, type SignedEvent } from './signed-event.js';
export {
  createEventVerifier,
  DEFAULT_CLOCK_SKEW_MS,
  type EventVerifier,
  type EventVerifierOptions,
  type VerificationResult,
  type VerifyContext,
} from './event.verifier.js';
export * from './identity-files.js';
export {
  type IdentityKeyFileUpgrade,
  type KeyUpgrade,
  KeyUpgradeOutcome,
  upgradeIdentityKeyFile,
  upgradeKemKey,
  upgradeSigningKey,
} from './identity-key-file.upgrade.js';
export { fromBase64Url, toBase64Url } from './bytes.codec.js';
export { negotiatedGroup, PQC_TLS_GROUPS, pqcTlsClientOptions, pqcTlsServerOptions, type TlsCredentials } from './tls.options.js';
export { assertPqcReady, type PqcReadiness, type PqcReadinessOptions } from './pqc-readiness.js';
export {
  createRequestOpener,
  createRequestSealer,
  type SealedRequest,
  SealedRequestType,
  type SealRequestInput,
} from './sealed-request.js';
export {
  createReloadingTrustStore,
  type ReloadingTrustStore,
  type ReloadingTrustStoreOptions,
  type TrustReloadEvent,
} from './trust-store.reloader.js';
