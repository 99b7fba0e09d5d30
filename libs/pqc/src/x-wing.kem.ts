import crypto, { type KeyObject } from 'node:crypto';
import { Algorithm, Sizes } from './algorithms.constants.js';
import { assertLength, concatBytes, plainBytes } from './bytes.codec.js';
import { mlKem768KeyGen } from './ml-kem-768.keygen.js';
import { type PqcOperationObserver, timed } from './operation-metrics.js';
import type { Encapsulation, PqcBackend } from './pqc-backend.types.js';

/*
 * X-Wing: a hybrid KEM of X25519 and ML-KEM-768.
 *   D. Connolly, P. Schwabe, B. Westerbaan, "X-Wing: general-purpose hybrid post-quantum KEM",
 *   draft-connolly-cfrg-xwing-kem (-06 and later, checked against -10),
 *   https://datatracker.ietf.org/doc/draft-connolly-cfrg-xwing-kem/ ; paper: IACR ePrint 2024/039.
 *
 *   expandDecapsulationKey(sk):            sk is a 32-byte seed
 *     expanded   = SHAKE256(sk, 96)
 *     (pk_M, sk_M) = ML-KEM-768.KeyGen_internal(expanded[0:32], expanded[32:64])
 *     sk_X = expanded[64:96];  pk_X = X25519(sk_X, 9)
 *   public key  = pk_M || pk_X                                    (1184 + 32 bytes)
 *   Encapsulate(pk): ek_X random; ct_X = X25519(ek_X, 9); ss_X = X25519(ek_X, pk_X)
 *                    (ss_M, ct_M) = ML-KEM-768.Encaps(pk_M);  ct = ct_M || ct_X  (1088 + 32 bytes)
 *   Combiner:   ss = SHA3-256(ss_M || ss_X || ct_X || pk_X || XWingLabel),  XWingLabel = "\.//^\"
 *
 * The ML-KEM half runs on the chosen PQC backend; X25519, SHAKE256 and SHA3-256 come from Node.
 * A secret key is the draft's 32-byte seed; its expansion (ML-KEM d‖z, the X25519 key pair) is
 * computed once per key object and cached. Key files written before v2 may hold only the expanded
 * form (XWingExpandedSecretKey), which keeps working.
 */

/** `\.//^\` — the X-Wing domain-separation label (6 bytes: 5c 2e 2f 2f 5e 5c). */
const xWingLabel = Uint8Array.from([0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c]);

/** The draft's X-Wing decapsulation key: a 32-byte seed, from which everything else derives. */
export interface XWingSeedSecretKey {
  readonly seed: Uint8Array;
}

/** The expanded form, for keys stored without their seed (key files before v2). */
export interface XWingExpandedSecretKey {
  readonly seed?: undefined;
  /** FIPS 203 expanded decapsulation key, 2400 bytes. */
  readonly mlKemSecretKey: Uint8Array;
  readonly x25519SecretKey: Uint8Array;
  readonly x25519PublicKey: Uint8Array;
}

export type XWingSecretKey = XWingSeedSecretKey | XWingExpandedSecretKey;

export interface XWingKeyPair {
  /** pk_M || pk_X, 1216 bytes. */
  readonly publicKey: Uint8Array;
  readonly secretKey: XWingSeedSecretKey;
}

export interface XWing {
  generateKeyPair(): XWingKeyPair;
  /** GenerateKeyPairDerand: deterministic from a 32-byte seed (draft test vectors use this). */
  keyPairFromSeed(seed: Uint8Array): XWingKeyPair;
  encapsulate(publicKey: Uint8Array): Encapsulation;
  decapsulate(ciphertext: Uint8Array, secretKey: XWingSecretKey): Uint8Array;
}

function x25519PrivateKey(scalar: Uint8Array): KeyObject {
  return crypto.createPrivateKey({ key: Buffer.from(scalar), format: 'raw-private', asymmetricKeyType: 'x25519' });
}

function x25519PublicKey(point: Uint8Array): KeyObject {
  return crypto.createPublicKey({ key: Buffer.from(point), format: 'raw-public', asymmetricKeyType: 'x25519' });
}

function combiner(ssM: Uint8Array, ssX: Uint8Array, ctX: Uint8Array, pkX: Uint8Array): Uint8Array {
  return plainBytes(crypto.createHash('sha3-256').update(ssM).update(ssX).update(ctX).update(pkX).update(xWingLabel).digest());
}

/** expandDecapsulationKey's split of SHAKE256(seed, 96): ML-KEM d‖z and the X25519 secret. */
function splitSeed(seed: Uint8Array): { mlKemSeed: Uint8Array; x25519SecretKey: Uint8Array } {
  assertLength(seed, Sizes.xWingSeed, 'X-Wing seed');
  const expanded = plainBytes(crypto.createHash('shake256', { outputLength: 96 }).update(seed).digest());
  return { mlKemSeed: expanded.subarray(0, 64), x25519SecretKey: expanded.subarray(64, 96) };
}

function x25519PublicOf(privateKey: KeyObject): Uint8Array {
  return plainBytes(crypto.createPublicKey(privateKey).export({ format: 'raw-public' }));
}

/**
 * The public key and expanded secret key of a seed without a backend (ML-KEM KeyGen_internal in
 * TypeScript): to check stored keys, and to compare a v1 key file's expanded fields with its seed.
 */
export function expandXWingSeed(seed: Uint8Array): { publicKey: Uint8Array; secretKey: XWingExpandedSecretKey } {
  const { mlKemSeed, x25519SecretKey } = splitSeed(seed);
  const mlKem = mlKem768KeyGen(mlKemSeed);
  const publicX = x25519PublicOf(x25519PrivateKey(x25519SecretKey));
  return {
    publicKey: concatBytes(mlKem.publicKey, publicX),
    secretKey: { mlKemSecretKey: mlKem.expandedKey, x25519SecretKey: Uint8Array.from(x25519SecretKey), x25519PublicKey: publicX },
  };
}

/** What decapsulation needs; computed once per secret-key object. */
interface Expansion {
  /** ML-KEM d‖z (64 bytes), or the 2400-byte expanded key of a key stored without its seed. */
  readonly mlKemSecretKey: Uint8Array;
  readonly x25519: KeyObject;
  readonly x25519PublicKey: Uint8Array;
}

/** X-Wing over the given backend's ML-KEM-768. */
export function createXWing(backend: PqcBackend, observer?: PqcOperationObserver): XWing {
  const expansions = new WeakMap<XWingSecretKey, Expansion>();

  const expandSeed = (seed: Uint8Array): { publicKey: Uint8Array; expansion: Expansion } => {
    const { mlKemSeed, x25519SecretKey } = splitSeed(seed);
    const mlKem = backend.mlKem768.keyPairFromSeed(mlKemSeed);
    const x25519 = x25519PrivateKey(x25519SecretKey);
    const publicX = x25519PublicOf(x25519);
    return {
      publicKey: concatBytes(mlKem.publicKey, publicX),
      expansion: { mlKemSecretKey: mlKem.secretKey, x25519, x25519PublicKey: publicX },
    };
  };

  const expansionOf = (secretKey: XWingSecretKey): Expansion => {
    let expansion = expansions.get(secretKey);
    if (expansion === undefined) {
      if (secretKey.seed !== undefined) {
        expansion = expandSeed(secretKey.seed).expansion;
      } else {
        assertLength(secretKey.mlKemSecretKey, Sizes.mlKem768SecretKey, 'X-Wing ML-KEM-768 secret key');
        assertLength(secretKey.x25519PublicKey, Sizes.x25519, 'X-Wing X25519 public key');
        expansion = {
          mlKemSecretKey: secretKey.mlKemSecretKey,
          x25519: x25519PrivateKey(secretKey.x25519SecretKey),
          x25519PublicKey: secretKey.x25519PublicKey,
        };
      }
      expansions.set(secretKey, expansion);
    }
    return expansion;
  };

  const keyPairFromSeed = (seed: Uint8Array): XWingKeyPair => {
    const { publicKey, expansion } = expandSeed(seed);
    const secretKey = { seed: plainBytes(Uint8Array.from(seed)) };
    expansions.set(secretKey, expansion);
    return { publicKey, secretKey };
  };

  return {
    keyPairFromSeed: (seed) => timed(observer, 'keygen', Algorithm.xWing, backend.name, () => keyPairFromSeed(seed)),
    generateKeyPair: () =>
      timed(observer, 'keygen', Algorithm.xWing, backend.name, () => keyPairFromSeed(plainBytes(crypto.randomBytes(32)))),
    encapsulate: (publicKey) =>
      timed(observer, 'encapsulate', Algorithm.xWing, backend.name, () => {
        assertLength(publicKey, Sizes.xWingPublicKey, 'X-Wing public key');
        const pkM = publicKey.subarray(0, Sizes.mlKem768PublicKey);
        const pkX = publicKey.subarray(Sizes.mlKem768PublicKey);
        const ephemeral = crypto.generateKeyPairSync('x25519');
        const ctX = plainBytes(ephemeral.publicKey.export({ format: 'raw-public' }));
        const ssX = crypto.diffieHellman({ privateKey: ephemeral.privateKey, publicKey: x25519PublicKey(pkX) });
        const { ciphertext: ctM, sharedSecret: ssM } = backend.mlKem768.encapsulate(plainBytes(Uint8Array.from(pkM)));
        return { ciphertext: concatBytes(ctM, ctX), sharedSecret: combiner(ssM, ssX, ctX, pkX) };
      }),
    decapsulate: (ciphertext, secretKey) =>
      timed(observer, 'decapsulate', Algorithm.xWing, backend.name, () => {
        assertLength(ciphertext, Sizes.xWingCiphertext, 'X-Wing ciphertext');
        const ctM = plainBytes(Uint8Array.from(ciphertext.subarray(0, Sizes.mlKem768Ciphertext)));
        const ctX = ciphertext.subarray(Sizes.mlKem768Ciphertext);
        const expansion = expansionOf(secretKey);
        const ssM = backend.mlKem768.decapsulate(ctM, expansion.mlKemSecretKey);
        const ssX = crypto.diffieHellman({ privateKey: expansion.x25519, publicKey: x25519PublicKey(ctX) });
        return combiner(ssM, ssX, ctX, expansion.x25519PublicKey);
      }),
  };
}
