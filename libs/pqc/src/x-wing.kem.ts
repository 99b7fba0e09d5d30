import crypto, { type KeyObject } from 'node:crypto';
import { Algorithm, Sizes } from './algorithms.constants.js';
import { assertLength, concatBytes, plainBytes } from './bytes.codec.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import { type PqcOperationObserver, timed } from './operation-metrics.js';
import { UnsupportedOperationError } from './pqc.errors.js';
import type { Encapsulation, MlKem768, PqcBackend } from './pqc-backend.types.js';

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
 * Key generation needs ML-KEM KeyGen_internal from a seed, which only the Node backend exposes, so
 * liboqs-only setups keep the expanded secret key (XWingSecretKey) produced once at provisioning.
 */

/** `\.//^\` — the X-Wing domain-separation label (6 bytes: 5c 2e 2f 2f 5e 5c). */
const xWingLabel = Uint8Array.from([0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c]);

/** Expanded X-Wing decapsulation key; `seed` is the draft's 32-byte private key when known. */
export interface XWingSecretKey {
  readonly seed?: Uint8Array;
  readonly mlKemSecretKey: Uint8Array;
  readonly x25519SecretKey: Uint8Array;
  readonly x25519PublicKey: Uint8Array;
}

export interface XWingKeyPair {
  /** pk_M || pk_X, 1216 bytes. */
  readonly publicKey: Uint8Array;
  readonly secretKey: XWingSecretKey;
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

function seededMlKem(backend: PqcBackend): NonNullable<MlKem768['keyPairFromSeed']> {
  const own = backend.mlKem768.keyPairFromSeed;
  if (own) return own;
  try {
    const node = createNodeCryptoBackend().mlKem768.keyPairFromSeed;
    if (node) return node;
  } catch {
    // fall through to the error below
  }
  throw new UnsupportedOperationError(
    `X-Wing key generation needs ML-KEM-768 KeyGen from a seed, which the ${backend.name} backend lacks and this Node cannot do`,
  );
}

/** X-Wing over the given backend's ML-KEM-768. */
export function createXWing(backend: PqcBackend, observer?: PqcOperationObserver): XWing {
  const keyPairFromSeed = (seed: Uint8Array): XWingKeyPair => {
    assertLength(seed, Sizes.xWingSeed, 'X-Wing seed');
    const expanded = crypto.createHash('shake256', { outputLength: 96 }).update(seed).digest();
    const mlKem = seededMlKem(backend)(plainBytes(expanded.subarray(0, 64)));
    const x25519SecretKey = plainBytes(Uint8Array.from(expanded.subarray(64, 96)));
    const x25519Public = plainBytes(
      crypto.createPublicKey(x25519PrivateKey(x25519SecretKey)).export({ format: 'raw-public' }),
    );
    return {
      publicKey: concatBytes(mlKem.publicKey, x25519Public),
      secretKey: {
        seed: Uint8Array.from(seed),
        mlKemSecretKey: mlKem.secretKey,
        x25519SecretKey,
        x25519PublicKey: x25519Public,
      },
    };
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
        const ssM = backend.mlKem768.decapsulate(ctM, secretKey.mlKemSecretKey);
        const ssX = crypto.diffieHellman({
          privateKey: x25519PrivateKey(secretKey.x25519SecretKey),
          publicKey: x25519PublicKey(ctX),
        });
        return combiner(ssM, ssX, ctX, secretKey.x25519PublicKey);
      }),
  };
}
