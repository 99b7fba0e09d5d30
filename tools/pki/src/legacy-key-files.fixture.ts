// Test-only: key files as mapek wrote them before key file v2 (expanded secret keys).
import {
  Algorithm,
  encodeXWingSecretKey,
  expandXWingSeed,
  type IdentityKeyFile,
  keyIdFor,
  mlDsa65KeyGen,
  type StoredKemKey,
  type StoredSigningKey,
  toBase64Url,
} from '@mapek/pqc';

const validity = { notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2099-01-01T00:00:00.000Z' };

/** A distinct 32-byte seed per `byte`. */
export const seedOf = (byte: number) => Uint8Array.from({ length: 32 }, (_, i) => (byte * 7 + i) & 0xff);

/** A v1 signing key: the FIPS 204 expanded key, no seed. */
export function v1SigningKey(seed: Uint8Array): StoredSigningKey {
  const { publicKey, expandedKey } = mlDsa65KeyGen(seed);
  return {
    kid: keyIdFor(Algorithm.mlDsa65, publicKey),
    alg: Algorithm.mlDsa65,
    ...validity,
    publicKey: toBase64Url(publicKey),
    secretKey: toBase64Url(expandedKey),
  };
}

/** A v1 X-Wing key: the seed and the expanded fields. */
export function v1KemKey(seed: Uint8Array): StoredKemKey {
  const { publicKey, secretKey } = expandXWingSeed(seed);
  return {
    kid: keyIdFor(Algorithm.xWing, publicKey),
    alg: Algorithm.xWing,
    ...validity,
    publicKey: toBase64Url(publicKey),
    seed: toBase64Url(seed),
    ...encodeXWingSecretKey(secretKey),
  };
}

export function v1KeyFile(name: string, byte: number, trustDomain = 'mapek.test'): IdentityKeyFile {
  return {
    v: 1,
    name,
    spiffeId: `spiffe://${trustDomain}/${name}`,
    signing: [v1SigningKey(seedOf(byte))],
    kem: [v1KemKey(seedOf(byte + 1))],
  };
}
