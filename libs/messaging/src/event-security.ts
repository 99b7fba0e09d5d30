import { Header, eventRegistry, type EventType } from '@mapek/contracts';
import {
  createEventSigner,
  createEventVerifier,
  DEFAULT_CLOCK_SKEW_MS,
  type EventEnvelope,
  type EventPolicy,
  type PqcBackend,
  type ServiceIdentity,
  signatureFromHeaders,
  signatureToHeaders,
  type TrustStore,
} from '@mapek/pqc';
import type { EnvelopeSigner } from './event-publisher.js';
import type { EnvelopeVerifier, VerifyInput, VerifyVerdict } from './event-consumer.js';

/**
 * Who may emit what, derived from the one registry (`eventRegistry[type].emitters`): identity
 * names are service names. The NATS permissions of tools/pki follow the same table.
 */
export function eventPolicyFromRegistry(): EventPolicy {
  return Object.fromEntries((Object.keys(eventRegistry) as EventType[]).map((type) => [type, [...eventRegistry[type].emitters]]));
}

/**
 * Signs every envelope with the identity's current ML-DSA-65 key over its canonical bytes and
 * subject; the detached signature travels in the `Mapek-Sig*` headers. A telemetry batch is one
 * envelope, so it is signed once per batch.
 */
export function createEnvelopeSigner(options: { backend: PqcBackend; identity: ServiceIdentity }): EnvelopeSigner {
  const { backend, identity } = options;
  return (envelope, subject, json) => {
    const signer = createEventSigner({ backend, key: identity.signingKey() });
    return signatureToHeaders(signer.sign(subject, envelope, json).signature);
  };
}

export interface EnvelopeVerifierOptions {
  readonly backend: PqcBackend;
  readonly trust: TrustStore;
  /** Default: the registry's emitters. */
  readonly policy?: EventPolicy;
  /** Accepted |stored time − envelope time|; default 30 s. */
  readonly clockSkewMs?: number;
}

const decoder = new TextDecoder();

/**
 * Checks, before a handler runs: the key belongs to the claimed source, the signature covers the
 * body and subject, the source may emit the type, the envelope's time is within the skew of when
 * JetStream stored it (so a consumer catching up on a backlog still accepts it), and the id was
 * not already accepted at another stream position (a redelivery of the same message is fine).
 * Rejections use the reasons bad_signature | unknown_key | not_authorized | stale | replay.
 */
export function createEnvelopeVerifier(options: EnvelopeVerifierOptions): EnvelopeVerifier {
  const verifier = createEventVerifier({
    backend: options.backend,
    trust: options.trust,
    policy: options.policy ?? eventPolicyFromRegistry(),
    clockSkewMs: options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS,
  });
  return (input: VerifyInput): VerifyVerdict => {
    const signature = signatureFromHeaders((name) => input.header(name));
    if (signature === undefined) return { ok: false, reason: 'bad_signature', detail: 'no ML-DSA-65 signature headers' };
    let sent: EventEnvelope;
    try {
      // The signature covers the envelope as sent, not as the contract parser normalised it: the
      // body's own JSON, parsed here unless the consumer already parsed it.
      sent = (input.sent ?? JSON.parse(decoder.decode(input.body))) as EventEnvelope;
    } catch {
      return { ok: false, reason: 'bad_signature', detail: 'body is not JSON' };
    }
    const result = verifier.verify(
      input.subject,
      { envelope: sent, signature },
      {
        at: input.storedAtMs,
        tag: `${input.stream}:${input.streamSequence}`,
      },
    );
    if (!result.ok) return { ok: false, reason: result.reason, detail: result.detail };
    // Replay protection shared by every replica and surviving restarts, with no state of ours:
    // an event is stored under Nats-Msg-Id = its id, so JetStream drops a copy re-published within
    // the stream's duplicate window (≥ 1 min), and after it the copy is stale (skew ≤ 1 min). A
    // copy stored under any other message id (or none) is a replay too.
    const msgId = input.header(Header.msgId);
    if (msgId !== sent.id) {
      return { ok: false, reason: 'replay', detail: `event ${sent.id} stored under Nats-Msg-Id ${msgId ?? '(none)'}, not its own id` };
    }
    return { ok: true };
  };
}
