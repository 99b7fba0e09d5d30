import { Algorithm, Sizes } from './algorithms.constants.js';
import { fromBase64Url } from './bytes.codec.js';
import { type EventPolicy, isAuthorizedEmitter } from './event-policy.js';
import { EventRejectedError, RejectionReason } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { createReplayGuard, type ReplayGuard } from './replay.guard.js';
import { type EventEnvelope, type SignedEvent, withEventSigningInput } from './signed-event.js';
import type { TrustedIdentity, TrustStore } from './trust-bundle.js';

export const DEFAULT_CLOCK_SKEW_MS = 30_000;

export type VerificationResult<TData = unknown> =
  | { readonly ok: true; readonly envelope: EventEnvelope<TData>; readonly identity: TrustedIdentity }
  | { readonly ok: false; readonly reason: RejectionReason; readonly detail: string };

export interface EventVerifierOptions {
  readonly backend: PqcBackend;
  /** From openTrustBundle; may be swapped with `setTrust` when a new bundle arrives. */
  readonly trust: TrustStore;
  readonly policy: EventPolicy;
  /** Accepted |now − envelope.time|, default 30 s. */
  readonly clockSkewMs?: number;
  readonly now?: () => number;
  /** Defaults to a time-bucketed guard covering the skew window. */
  readonly replayGuard?: ReplayGuard;
}

/** Where and when a message was stored, for a verifier behind a durable log. */
export interface VerifyContext {
  /**
   * The instant freshness is judged against (epoch ms). Behind JetStream this is the time the
   * stream stored the message, so a consumer that catches up on a backlog still accepts it.
   * Default: the verifier's clock.
   */
  readonly at?: number;
  /**
   * Where the message sits (e.g. `MAPEK_EVENTS:42`). A redelivery under the same tag is not a
   * replay; the same event id under another tag (or untagged) is.
   */
  readonly tag?: string;
}

export interface EventVerifier {
  /**
   * Checks, in order: the key (`kid` must be a currently valid ML-DSA-65 key of the claimed
   * `source` → else unknown_key), the signature over envelope+subject (bad_signature), the policy
   * (source may emit this type → not_authorized), freshness (stale) and the event id (replay).
   * The id is remembered only once every other check has passed, so forgeries cannot burn ids.
   */
  verify<TData>(subject: string, event: SignedEvent<TData>, context?: VerifyContext): VerificationResult<TData>;
  /** As verify, but throws EventRejectedError (with `.reason`) on rejection. */
  verifyOrThrow<TData>(
    subject: string,
    event: SignedEvent<TData>,
    context?: VerifyContext,
  ): { envelope: EventEnvelope<TData>; identity: TrustedIdentity };
  setTrust(trust: TrustStore): void;
}

function reject(reason: RejectionReason, detail: string): { ok: false; reason: RejectionReason; detail: string } {
  return { ok: false, reason, detail };
}

export function createEventVerifier(options: EventVerifierOptions): EventVerifier {
  const { backend, policy } = options;
  const skew = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const now = options.now ?? Date.now;
  const replay = options.replayGuard ?? createReplayGuard({ windowMs: skew });
  let trust = options.trust;

  const verify = <TData>(subject: string, event: SignedEvent<TData>, context: VerifyContext = {}): VerificationResult<TData> => {
    const at = context.at ?? now();
    const { envelope, signature } = event ?? {};
    if (typeof envelope !== 'object' || envelope === null || typeof signature !== 'object' || signature === null) {
      return reject(RejectionReason.badSignature, 'missing envelope or signature');
    }
    // A malformed envelope is treated like a bad signature: nothing about it can be trusted.
    if (typeof envelope.id !== 'string' || typeof envelope.type !== 'string' || typeof envelope.time !== 'string') {
      return reject(RejectionReason.badSignature, 'envelope lacks id, type or time');
    }
    const source = envelope.source;
    const identity = typeof source === 'string' ? trust.identity(source) : undefined;
    const publicKey =
      identity && signature.alg === Algorithm.mlDsa65 && typeof signature.kid === 'string'
        ? trust.verificationKey(identity.name, signature.kid, at)
        : undefined;
    if (identity === undefined || publicKey === undefined) {
      return reject(RejectionReason.unknownKey, `no valid key ${String(signature.kid)} for source ${String(source)}`);
    }
    let valid: boolean;
    try {
      const sig = fromBase64Url(signature.sig, 'signature', Sizes.mlDsa65Signature);
      valid = withEventSigningInput(subject, envelope, (input) => backend.mlDsa65.verify(input, sig, publicKey));
    } catch {
      valid = false;
    }
    if (!valid) return reject(RejectionReason.badSignature, `signature by ${signature.kid} does not verify`);
    if (!isAuthorizedEmitter(policy, identity.name, envelope.type)) {
      return reject(RejectionReason.notAuthorized, `${identity.name} may not emit ${envelope.type}`);
    }
    const time = Date.parse(envelope.time);
    if (!Number.isFinite(time) || Math.abs(at - time) > skew) {
      return reject(RejectionReason.stale, `event time ${envelope.time} outside ±${skew} ms`);
    }
    if (replay.seen(envelope.id, at, context.tag)) return reject(RejectionReason.replay, `event ${envelope.id} already seen`);
    replay.record(envelope.id, time, at, context.tag);
    return { ok: true, envelope, identity };
  };

  return {
    verify,
    verifyOrThrow: (subject, event, context) => {
      const result = verify(subject, event, context);
      if (!result.ok) throw new EventRejectedError(result.reason, result.detail);
      return { envelope: result.envelope, identity: result.identity };
    },
    setTrust: (next) => {
      trust = next;
    },
  };
}
