/** Algorithm names as they appear on the wire, in metrics labels and in the trust bundle. */
export const Algorithm = {
  mlKem768: 'ML-KEM-768',
  mlDsa65: 'ML-DSA-65',
  xWing: 'X-Wing',
  sealV1: 'X-Wing+HKDF-SHA-256+A256GCM',
} as const;
export type Algorithm = (typeof Algorithm)[keyof typeof Algorithm];

/** The two interchangeable PQC backends. */
export const BackendName = {
  node: 'node',
  liboqs: 'liboqs',
} as const;
export type BackendName = (typeof BackendName)[keyof typeof BackendName];

/** Sizes from FIPS 203 (ML-KEM-768) and FIPS 204 (ML-DSA-65), in bytes. */
export const Sizes = {
  mlKem768PublicKey: 1184,
  mlKem768SecretKey: 2400,
  mlKem768Ciphertext: 1088,
  mlKem768Seed: 64,
  mlKemSharedSecret: 32,
  mlDsa65PublicKey: 1952,
  mlDsa65SecretKey: 4032,
  mlDsa65Signature: 3309,
  mlDsa65Seed: 32,
  x25519: 32,
  xWingSeed: 32,
  xWingPublicKey: 1216,
  xWingCiphertext: 1120,
} as const;
