import { concatBytes, plainBytes } from './bytes.codec.js';
import { PrivateKeyError, PrivateKeyErrorCode } from './pqc.errors.js';
import {
  bytesEqual,
  expandedKeyMatchesPublicKey,
  type LatticeAlgorithmId,
  latticeAlgorithms,
  mlKemExpandedKeyIsWellFormed,
} from './private-key.forms.js';

/*
 * PKCS#8 (RFC 5958 OneAsymmetricKey) for ML-KEM-768 and ML-DSA-65 private keys, in DER:
 *
 *   OneAsymmetricKey ::= SEQUENCE {
 *     version                   INTEGER { v1(0), v2(1) },
 *     privateKeyAlgorithm       AlgorithmIdentifier,      -- OID only, parameters absent
 *     privateKey                OCTET STRING,             -- holds one of the three forms below
 *     attributes            [0] IMPLICIT Attributes OPTIONAL,
 *     publicKey             [1] IMPLICIT BIT STRING OPTIONAL }   -- v2 only
 *
 *   ML-DSA-65-PrivateKey / ML-KEM-768-PrivateKey ::= CHOICE {      RFC 9881 §6;
 *     seed        [0] IMPLICIT OCTET STRING (SIZE (32 | 64)),      draft-ietf-lamps-kyber-certificates §6
 *     expandedKey OCTET STRING (SIZE (4032 | 2400)),
 *     both        SEQUENCE { seed OCTET STRING, expandedKey OCTET STRING } }
 *
 * OpenSSL 3.5.8 writes `both`, 3.5.9 writes `seed`; we read all three and never depend on which.
 */

export const Pkcs8Form = {
  seed: 'seed',
  expandedKey: 'expandedKey',
  both: 'both',
} as const;
export type Pkcs8Form = (typeof Pkcs8Form)[keyof typeof Pkcs8Form];

/** A decoded private key; `algorithm` is `mlKem768` or `mlDsa65`. */
export type Pkcs8PrivateKey =
  | { readonly algorithm: LatticeAlgorithmId; readonly form: typeof Pkcs8Form.seed; readonly seed: Uint8Array }
  | { readonly algorithm: LatticeAlgorithmId; readonly form: typeof Pkcs8Form.expandedKey; readonly expandedKey: Uint8Array }
  | {
      readonly algorithm: LatticeAlgorithmId;
      readonly form: typeof Pkcs8Form.both;
      readonly seed: Uint8Array;
      readonly expandedKey: Uint8Array;
    };

const Tag = {
  integer: 0x02,
  octetString: 0x04,
  oid: 0x06,
  sequence: 0x30,
  seedChoice: 0x80, // [0] IMPLICIT OCTET STRING, primitive
  attributes: 0xa0, // [0] IMPLICIT SET OF, constructed
  publicKey: 0x81, // [1] IMPLICIT BIT STRING, primitive
} as const;

const malformed = (message: string) => new PrivateKeyError(PrivateKeyErrorCode.malformed, `PKCS#8 private key: ${message}`);
const hexTag = (tag: number) => `0x${tag.toString(16).padStart(2, '0')}`;

// --- reading ---

interface Element {
  readonly tag: number;
  readonly body: Uint8Array;
  /** Offset just past this element in the buffer it was read from. */
  readonly next: number;
}

/** One DER TLV: single-byte tag, definite length in its shortest form, no content beyond the buffer. */
function readElement(der: Uint8Array, offset: number, what: string): Element {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) throw malformed(`${what} is truncated`);
  if ((tag & 0x1f) === 0x1f) throw malformed(`${what} has a multi-byte tag`);
  let length = first;
  let header = 2;
  if (first >= 0x80) {
    const count = first & 0x7f;
    if (count === 0) throw malformed(`${what} has an indefinite length, which DER forbids`);
    // These structures are at most a few KiB, so two length bytes are always enough.
    if (count > 2) throw malformed(`${what} is longer than any ML-KEM-768 or ML-DSA-65 key`);
    if (offset + 2 + count > der.length) throw malformed(`${what} is truncated`);
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (der[offset + 2 + i] ?? 0);
    if (length < 0x80 || (count === 2 && length < 0x100))
      throw malformed(`${what} has a length not in its shortest form, which DER forbids`);
    header += count;
  }
  const next = offset + header + length;
  if (next > der.length) throw malformed(`${what} is truncated`);
  return { tag, body: der.subarray(offset + header, next), next };
}

function expectTag(element: Element | undefined, tag: number, what: string): Element {
  if (element === undefined) throw malformed(`${what} is missing`);
  if (element.tag !== tag) throw malformed(`${what} has tag ${hexTag(element.tag)}, expected ${hexTag(tag)}`);
  return element;
}

/** The elements of a SEQUENCE's body, in order; the body must be exactly their concatenation. */
function children(body: Uint8Array, what: string): Element[] {
  const elements: Element[] = [];
  let offset = 0;
  while (offset < body.length) {
    const element = readElement(body, offset, what);
    elements.push(element);
    offset = element.next;
  }
  return elements;
}

/** Dotted form of an OID's content octets, for error messages. */
function oidText(body: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of body) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

function algorithmOf(identifier: Element): LatticeAlgorithmId {
  const [oid, ...parameters] = children(identifier.body, 'privateKeyAlgorithm');
  const { body } = expectTag(oid, Tag.oid, 'privateKeyAlgorithm OID');
  const found = (Object.keys(latticeAlgorithms) as LatticeAlgorithmId[]).find((id) => bytesEqual(latticeAlgorithms[id].oid, body));
  if (found === undefined) {
    throw new PrivateKeyError(
      PrivateKeyErrorCode.unsupportedAlgorithm,
      `PKCS#8 private key is for algorithm ${oidText(body)}, not ML-KEM-768 (2.16.840.1.101.3.4.4.2) or ML-DSA-65 (2.16.840.1.101.3.4.3.18)`,
    );
  }
  if (parameters.length > 0) {
    throw new PrivateKeyError(
      PrivateKeyErrorCode.unsupportedAlgorithm,
      `PKCS#8 ${latticeAlgorithms[found].name} private key has AlgorithmIdentifier parameters, which must be absent`,
    );
  }
  return found;
}

function checkLength(algorithm: LatticeAlgorithmId, field: 'seed' | 'expandedKey' | 'publicKey', bytes: Uint8Array): Uint8Array {
  const parameters = latticeAlgorithms[algorithm];
  const expected = { seed: parameters.seedLength, expandedKey: parameters.expandedKeyLength, publicKey: parameters.publicKeyLength }[field];
  if (bytes.length !== expected) {
    throw new PrivateKeyError(PrivateKeyErrorCode.wrongSize, `${parameters.name} ${field} must be ${expected} bytes, got ${bytes.length}`);
  }
  return plainBytes(Uint8Array.from(bytes));
}

const inconsistent = (message: string) => new PrivateKeyError(PrivateKeyErrorCode.inconsistent, message);

/** Throws unless the key's parts belong together (a `both` key's expanded half is its seed's). */
function checkConsistent(key: Pkcs8PrivateKey): void {
  const { name, keyGen } = latticeAlgorithms[key.algorithm];
  switch (key.form) {
    case Pkcs8Form.seed:
      return;
    case Pkcs8Form.expandedKey:
      if (key.algorithm === 'mlKem768' && !mlKemExpandedKeyIsWellFormed(key.expandedKey)) {
        throw inconsistent(`${name} expanded key fails the FIPS 203 hash check (H(ek) does not match ek)`);
      }
      return;
    case Pkcs8Form.both:
      if (!bytesEqual(keyGen(key.seed).expandedKey, key.expandedKey)) {
        throw inconsistent(`${name} private key in the \`both\` form: the expanded key is not the one its seed derives`);
      }
      return;
  }
}

function privateKeyChoice(algorithm: LatticeAlgorithmId, privateKey: Uint8Array): Pkcs8PrivateKey {
  const choice = readElement(privateKey, 0, 'privateKey');
  if (choice.next !== privateKey.length) throw malformed('privateKey has bytes after its key');
  switch (choice.tag) {
    case Tag.seedChoice:
      return { algorithm, form: Pkcs8Form.seed, seed: checkLength(algorithm, 'seed', choice.body) };
    case Tag.octetString:
      return { algorithm, form: Pkcs8Form.expandedKey, expandedKey: checkLength(algorithm, 'expandedKey', choice.body) };
    case Tag.sequence: {
      const [seed, expandedKey, ...extra] = children(choice.body, 'privateKey both');
      if (extra.length > 0) throw malformed('privateKey `both` has more than a seed and an expanded key');
      return {
        algorithm,
        form: Pkcs8Form.both,
        seed: checkLength(algorithm, 'seed', expectTag(seed, Tag.octetString, 'privateKey both seed').body),
        expandedKey: checkLength(algorithm, 'expandedKey', expectTag(expandedKey, Tag.octetString, 'privateKey both expandedKey').body),
      };
    }
    default:
      throw malformed(`privateKey (tag ${hexTag(choice.tag)}) is none of seed [0], expandedKey, both`);
  }
}

/** Checks a v2 key's optional publicKey against the private key it travels with. */
function checkPublicKey(key: Pkcs8PrivateKey, element: Element): void {
  const [unusedBits, ...rest] = element.body;
  if (unusedBits !== 0) throw malformed('publicKey BIT STRING must have no unused bits');
  const publicKey = checkLength(key.algorithm, 'publicKey', Uint8Array.from(rest));
  const matches =
    key.form === Pkcs8Form.expandedKey
      ? expandedKeyMatchesPublicKey(key.algorithm, key.expandedKey, publicKey)
      : bytesEqual(latticeAlgorithms[key.algorithm].keyGen(key.seed).publicKey, publicKey);
  if (!matches) throw inconsistent(`${latticeAlgorithms[key.algorithm].name} PKCS#8 publicKey does not belong to its private key`);
}

/**
 * Reads a PKCS#8 ML-KEM-768 or ML-DSA-65 private key in any of the three forms and checks it:
 * DER, the OID, the sizes, that a `both` key's halves agree, the FIPS 203 hash check of an
 * ML-KEM expanded key, and a v2 publicKey if present. Throws PrivateKeyError (`code` says why).
 */
export function decodePkcs8PrivateKey(der: Uint8Array): Pkcs8PrivateKey {
  const outer = expectTag(readElement(der, 0, 'OneAsymmetricKey'), Tag.sequence, 'OneAsymmetricKey');
  if (outer.next !== der.length) throw malformed('bytes follow the OneAsymmetricKey');
  const [version, identifier, privateKey, ...optional] = children(outer.body, 'OneAsymmetricKey');
  const versionBody = expectTag(version, Tag.integer, 'version').body;
  const v = versionBody.length === 1 ? versionBody[0] : undefined;
  if (v !== 0 && v !== 1) throw malformed('version must be v1 (0) or v2 (1)');
  const algorithm = algorithmOf(expectTag(identifier, Tag.sequence, 'privateKeyAlgorithm'));
  const key = privateKeyChoice(algorithm, expectTag(privateKey, Tag.octetString, 'privateKey').body);
  checkConsistent(key);
  // Attributes are allowed and ignored; a publicKey must belong to the private key.
  const [publicKey, ...extra] = optional[0]?.tag === Tag.attributes ? optional.slice(1) : optional;
  if (publicKey !== undefined) {
    const unexpected = publicKey.tag === Tag.publicKey ? extra[0] : publicKey;
    if (unexpected !== undefined) throw malformed(`unexpected field ${hexTag(unexpected.tag)} after privateKey`);
    if (v !== 1) throw malformed('publicKey is only allowed in a v2 OneAsymmetricKey');
    checkPublicKey(key, publicKey);
  }
  return key;
}

/** The bytes a backend takes: the seed when the key has one, else the expanded key. */
export function secretKeyOf(key: Pkcs8PrivateKey): Uint8Array {
  return key.form === Pkcs8Form.expandedKey ? key.expandedKey : key.seed;
}

// --- writing ---

function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concatBytes(Uint8Array.of(tag, ...length), body);
}

/**
 * DER of a v1 OneAsymmetricKey holding `key` in its form. Sizes are checked, and a `both` key
 * must be consistent, so this never writes a key that decodePkcs8PrivateKey would refuse.
 */
export function encodePkcs8PrivateKey(key: Pkcs8PrivateKey): Uint8Array {
  let privateKey: Uint8Array;
  switch (key.form) {
    case Pkcs8Form.seed:
      privateKey = tlv(Tag.seedChoice, checkLength(key.algorithm, 'seed', key.seed));
      break;
    case Pkcs8Form.expandedKey:
      privateKey = tlv(Tag.octetString, checkLength(key.algorithm, 'expandedKey', key.expandedKey));
      break;
    case Pkcs8Form.both:
      privateKey = tlv(
        Tag.sequence,
        concatBytes(
          tlv(Tag.octetString, checkLength(key.algorithm, 'seed', key.seed)),
          tlv(Tag.octetString, checkLength(key.algorithm, 'expandedKey', key.expandedKey)),
        ),
      );
      break;
  }
  checkConsistent(key);
  const version = tlv(Tag.integer, Uint8Array.of(0));
  const identifier = tlv(Tag.sequence, tlv(Tag.oid, latticeAlgorithms[key.algorithm].oid));
  return tlv(Tag.sequence, concatBytes(version, identifier, tlv(Tag.octetString, privateKey)));
}
