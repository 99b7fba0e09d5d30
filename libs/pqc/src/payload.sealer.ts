import crypto from 'node:crypto';
import { Algorithm, Sizes } from './algorithms.constants.js';
import { fromBase64Url, plainBytes, toBase64Url } from './bytes.codec.js';
import { canonicalJsonBytes } from './canonical-json.codec.js';
import { type PqcOperationObserver, timed } from './operation-metrics.js';
import { InvalidInputError, OpenFailedError } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { createXWing, type XWingSecretKey } from './x-wing.kem.js';

/*
 * Payload encryption to one recipient (actuation and command payloads):
 *   (enc, ss) = X-Wing.Encapsulate(recipient public key)          -- see x-wing.kem.ts
 *   key       = HKDF-SHA-256(ikm = ss, salt = "", info = "mapek/seal/v1", 32 bytes)   (RFC 5869)
 *   nonce     = 12 fresh random bytes per message
 *   aad       = canonical JSON of {v, alg, kid, subject, eventId}
 *   (ciphertext, tag) = AES-256-GCM(key, nonce, payload, aad)
 * Every message has its own KEM encapsulation, hence its own key; the random nonce is belt and
 * braces. Binding subject and event id as associated data stops a sealed payload from being
 * replayed under another subject or event.
 */

const hkdfInfo = new TextEncoder().encode('mapek/seal/v1');

/** What a sealed payload is bound to; the receiver must present the same values to open it. */
export interface SealBinding {
  readonly subject: string;
  readonly eventId: string;
}

/** Recipient public key; `kid` (from the trust bundle) tells the receiver which key to use. */
export interface SealRecipient {
  readonly kid: string;
  readonly publicKey: Uint8Array;
}

/** Wire form of a sealed payload; binary fields are base64url without padding. */
export interface SealedPayload {
  readonly v: 1;
  readonly alg: typeof Algorithm.sealV1;
  readonly kid: string;
  /** X-Wing ciphertext (1120 bytes). */
  readonly enc: string;
  readonly nonce: string;
  readonly ciphertext: string;
  readonly tag: string;
}

export interface PayloadSealer {
  seal(payload: Uint8Array | string, recipient: SealRecipient, binding: SealBinding): SealedPayload;
  /** Throws OpenFailedError when the key, binding or any byte is wrong. */
  open(sealed: SealedPayload, secretKey: XWingSecretKey, binding: SealBinding): Uint8Array;
}

function associatedData(kid: string, binding: SealBinding): Uint8Array {
  return canonicalJsonBytes({ v: 1, alg: Algorithm.sealV1, kid, subject: binding.subject, eventId: binding.eventId });
}

function deriveKey(sharedSecret: Uint8Array): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', sharedSecret, new Uint8Array(0), hkdfInfo, 32));
}

export function createPayloadSealer(backend: PqcBackend, observer?: PqcOperationObserver): PayloadSealer {
  const xWing = createXWing(backend);
  return {
    seal: (payload, recipient, binding) =>
      timed(observer, 'seal', Algorithm.xWing, backend.name, () => {
        const plaintext = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
        const { ciphertext: enc, sharedSecret } = xWing.encapsulate(recipient.publicKey);
        const nonce = crypto.randomBytes(12);
        const cipher = crypto.createCipheriv('aes-256-gcm', deriveKey(sharedSecret), nonce, { authTagLength: 16 });
        cipher.setAAD(associatedData(recipient.kid, binding));
        const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        return {
          v: 1,
          alg: Algorithm.sealV1,
          kid: recipient.kid,
          enc: toBase64Url(enc),
          nonce: toBase64Url(nonce),
          ciphertext: toBase64Url(ciphertext),
          tag: toBase64Url(cipher.getAuthTag()),
        };
      }),
    open: (sealed, secretKey, binding) =>
      timed(observer, 'open', Algorithm.xWing, backend.name, () => {
        try {
          if (sealed.v !== 1 || sealed.alg !== Algorithm.sealV1) throw new InvalidInputError('unknown sealed payload version');
          const enc = fromBase64Url(sealed.enc, 'enc', Sizes.xWingCiphertext);
          const nonce = fromBase64Url(sealed.nonce, 'nonce', 12);
          const tag = fromBase64Url(sealed.tag, 'tag', 16);
          const ciphertext = fromBase64Url(sealed.ciphertext, 'ciphertext');
          const sharedSecret = xWing.decapsulate(enc, secretKey);
          const decipher = crypto.createDecipheriv('aes-256-gcm', deriveKey(sharedSecret), nonce, { authTagLength: 16 });
          decipher.setAAD(associatedData(sealed.kid, binding));
          decipher.setAuthTag(tag);
          return plainBytes(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
        } catch (cause) {
          throw new OpenFailedError('sealed payload could not be opened', { cause });
        }
      }),
  };
}
