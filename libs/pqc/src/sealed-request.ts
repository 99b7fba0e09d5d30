import { randomUUID } from 'node:crypto';
import { DEFAULT_CLOCK_SKEW_MS, createEventVerifier } from './event.verifier.js';
import type { EventPolicy } from './event-policy.js';
import type { ServiceIdentity } from './identity-files.js';
import { EventRejectedError, OpenFailedError, RejectionReason } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import type { PayloadSealer, SealedPayload } from './payload.sealer.js';
import { type SignatureHeader, signatureFromHeaders, signatureToHeaders } from './signature.headers.js';
import { createEventSigner, type EventEnvelope } from './signed-event.js';
import type { TrustStore } from './trust-bundle.js';

/** The envelope type of a sealed request (actuation: executor → agent). */
export const SealedRequestType = { actuation: 'actuation' } as const;
export type SealedRequestType = (typeof SealedRequestType)[keyof typeof SealedRequestType];

/**
 * Wire form of a request that must reach one receiver only (actuation, later commands):
 *
 *   body    = JSON envelope { id, type, version: 1, source, time, target, data: SealedPayload }
 *   data    = seal(payload) to the receiver's X-Wing key, aad binds {subject, eventId: id}
 *   headers = Mapek-Sig-* : ML-DSA-65 signature of the sender over the envelope and subject
 *
 * `id` is fresh per send (a retry of the same request is a new message, and the receiver's own
 * idempotency works on the request id inside), so a captured message replayed is caught by id.
 */
export interface SealedRequest {
  readonly body: Uint8Array;
  readonly headers: Record<SignatureHeader, string>;
}

export interface SealRequestInput {
  readonly subject: string;
  /** The receiving identity's name in the trust bundle (e.g. `agent`). */
  readonly recipient: string;
  readonly target: string;
  readonly type: SealedRequestType;
  readonly payload: Uint8Array | string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Signs with the sender's identity and seals to the recipient's newest valid X-Wing key. */
export function createRequestSealer(options: {
  backend: PqcBackend;
  identity: ServiceIdentity;
  trust: TrustStore;
  sealer: PayloadSealer;
  now?: () => number;
}): (input: SealRequestInput) => SealedRequest {
  const now = options.now ?? Date.now;
  return (input) => {
    const at = now();
    const recipient = options.trust.recipientKey(input.recipient, at);
    if (recipient === undefined) throw new OpenFailedError(`no valid X-Wing key for ${input.recipient} in the trust bundle`);
    const id = randomUUID();
    const sealed = options.sealer.seal(input.payload, recipient, { subject: input.subject, eventId: id });
    const envelope: EventEnvelope<SealedPayload> = {
      id,
      type: input.type,
      version: 1,
      source: options.identity.name,
      time: new Date(at).toISOString(),
      target: input.target,
      data: sealed,
    };
    const signed = createEventSigner({ backend: options.backend, key: options.identity.signingKey(at) }).sign(input.subject, envelope);
    return { body: encoder.encode(JSON.stringify(envelope)), headers: signatureToHeaders(signed.signature) };
  };
}

/**
 * The receiving side: checks the signature, that the sender may send this type (`policy`),
 * freshness and replay (as for events), then opens the payload with the receiver's key bound to
 * the subject and id. Throws EventRejectedError (`reason`) or OpenFailedError.
 */
export function createRequestOpener(options: {
  backend: PqcBackend;
  identity: ServiceIdentity;
  trust: TrustStore;
  sealer: PayloadSealer;
  policy: EventPolicy;
  clockSkewMs?: number;
  now?: () => number;
}): (subject: string, body: Uint8Array, header: (name: SignatureHeader) => string | undefined) => Uint8Array {
  const verifier = createEventVerifier({
    backend: options.backend,
    trust: options.trust,
    policy: options.policy,
    clockSkewMs: options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS,
    ...(options.now ? { now: options.now } : {}),
  });
  return (subject, body, header) => {
    let envelope: EventEnvelope<SealedPayload>;
    try {
      envelope = JSON.parse(decoder.decode(body)) as EventEnvelope<SealedPayload>;
    } catch {
      throw new OpenFailedError('request body is not a JSON envelope');
    }
    const signature = signatureFromHeaders(header);
    if (signature === undefined) throw new EventRejectedError(RejectionReason.badSignature, 'request carries no ML-DSA-65 signature');
    const { envelope: verified } = verifier.verifyOrThrow(subject, { envelope, signature });
    const sealed = verified.data;
    const secretKey = typeof sealed?.kid === 'string' ? options.identity.kemSecretKey(sealed.kid) : undefined;
    if (secretKey === undefined) throw new OpenFailedError(`sealed to a key this receiver does not hold (${String(sealed?.kid)})`);
    return options.sealer.open(sealed, secretKey, { subject, eventId: verified.id });
  };
}
