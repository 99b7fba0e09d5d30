import { InvalidInputError } from './pqc.errors.js';
import { concatBytes, plainBytes } from './bytes.codec.js';

// Minimal DER for the one structure we need: PKCS#8 OneAsymmetricKey carrying an ML-KEM / ML-DSA
// private key in its "expandedKey" form (draft-ietf-lamps-kyber-certificates,
// draft-ietf-lamps-dilithium-certificates). OpenSSL 3.5 accepts it, which lets the Node backend use
// the FIPS 203/204 expanded secret keys that liboqs produces, and vice versa.

const oid = {
  mlKem768: Uint8Array.from([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x02]),
  mlDsa65: Uint8Array.from([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12]),
} as const;
export type Pkcs8Algorithm = keyof typeof oid;

function length(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  return Uint8Array.of(0x82, n >> 8, n & 0xff);
}

function tlv(tag: number, body: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), length(body.length), body);
}

/** PKCS#8 DER whose privateKey is `OCTET STRING { OCTET STRING expandedKey }`. */
export function pkcs8FromExpandedKey(algorithm: Pkcs8Algorithm, expandedKey: Uint8Array): Uint8Array {
  const version = Uint8Array.of(0x02, 0x01, 0x00);
  const algorithmIdentifier = tlv(0x30, oid[algorithm]);
  return tlv(0x30, concatBytes(version, algorithmIdentifier, tlv(0x04, tlv(0x04, expandedKey))));
}

/**
 * The expanded key from an OpenSSL PKCS#8 export. OpenSSL writes either `expandedKey` alone or
 * `both { seed, expandedKey }`; in both cases the expanded key is the final `expectedLength` bytes
 * of the structure, preceded by its OCTET STRING header, which we check.
 */
export function expandedKeyFromPkcs8(der: Uint8Array, expectedLength: number): Uint8Array {
  const header = length(expectedLength);
  const start = der.length - expectedLength;
  const headerStart = start - header.length - 1;
  if (headerStart < 0 || der[headerStart] !== 0x04 || !header.every((b, i) => der[headerStart + 1 + i] === b)) {
    throw new InvalidInputError('PKCS#8 private key has no expanded key of the expected size');
  }
  return plainBytes(Uint8Array.from(der.subarray(start)));
}
