import { Algorithm } from './algorithms.constants.js';
import { toBase64Url, utf8 } from './bytes.codec.js';
import { canonicalJson } from './canonical-json.codec.js';
import type { PqcBackend } from './pqc-backend.types.js';
import type { DetachedSignature, SigningKey } from './trust-bundle.js';

/** The envelope as signed (CloudEvents-like; see libs/contracts for the zod schema). */
export interface EventEnvelope<TData = unknown> {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  /** The sending service's identity name ("planner") or SPIFFE id. */
  readonly source: string;
  /** ISO-8601 */
  readonly time: string;
  readonly target: string;
  readonly incidentId?: string;
  readonly causationId?: string;
  readonly data: TData;
}

/** An envelope plus its detached ML-DSA-65 signature (carry it in the body or in headers). */
export interface SignedEvent<TData = unknown> {
  readonly envelope: EventEnvelope<TData>;
  readonly signature: DetachedSignature;
}

const eventContext = 'mapek.event.v1\n';

/**
 * The exact bytes signed: "mapek.event.v1\n" followed by the canonical JSON (see
 * canonical-json.codec.ts) of `{"envelope":…,"subject":…}`. Binding the subject stops a valid
 * event from being re-published on another subject.
 */
export function eventSigningInput(subject: string, envelope: EventEnvelope): Uint8Array {
  // One UTF-8 encode of one string: no second copy of a large batch.
  return utf8(eventContext + canonicalJson({ envelope, subject }));
}

export interface EventSigner {
  readonly kid: string;
  sign<TData>(subject: string, envelope: EventEnvelope<TData>): SignedEvent<TData>;
}

/**
 * Signs envelopes with one ML-DSA-65 key. Timing comes from the backend: pass `observer` to
 * loadPqcBackend / assertPqcReady. For telemetry, sign one envelope whose `data` is the
 * whole batch: one signature per batch, not per sample.
 */
export function createEventSigner(options: { backend: PqcBackend; key: SigningKey }): EventSigner {
  const { backend, key } = options;
  return {
    kid: key.kid,
    sign: (subject, envelope) => {
      const input = eventSigningInput(subject, envelope);
      const sig = backend.mlDsa65.sign(input, key.secretKey);
      return { envelope, signature: { alg: Algorithm.mlDsa65, kid: key.kid, sig: toBase64Url(sig) } };
    },
  };
}
