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

/** Above this the scratch buffer is not kept between calls (one rare huge event does not pin its size). */
const SCRATCH_KEPT_BYTES = 4 * 1024 * 1024;
const encoder = new TextEncoder();
const eventContextBytes = encoder.encode(eventContext);
let scratch = new Uint8Array(64 * 1024);
let scratchInUse = false;

/**
 * Runs `use` (a synchronous sign or verify) on the signing input of {@link eventSigningInput},
 * written into a buffer that the next call overwrites: a sample batch of a few hundred KB then
 * costs no new memory outside the V8 heap per signature, where a fresh copy per batch left the
 * allocator holding the peaks. `use` must not keep the bytes.
 */
export function withEventSigningInput<T>(subject: string, envelope: EventEnvelope, use: (input: Uint8Array) => T): T {
  const json = canonicalJson({ envelope, subject });
  const length = eventContextBytes.length + json.length;
  // Re-entered (a `use` that signs again), or too large to keep: a copy of its own.
  if (scratchInUse || length * 3 > SCRATCH_KEPT_BYTES) return use(utf8(eventContext + json));
  if (scratch.length < length) scratch = new Uint8Array(Math.min(SCRATCH_KEPT_BYTES, 2 ** Math.ceil(Math.log2(length))));
  // The context and the JSON are written one after the other: joined first, a batch's JSON would
  // be copied once more into a flat string before its encoding.
  scratch.set(eventContextBytes);
  let written = encoder.encodeInto(json, scratch.subarray(eventContextBytes.length));
  if (written.read < json.length) {
    // Not all ASCII: a UTF-8 character takes up to 3 bytes per UTF-16 unit.
    scratch = new Uint8Array(eventContextBytes.length + json.length * 3);
    scratch.set(eventContextBytes);
    written = encoder.encodeInto(json, scratch.subarray(eventContextBytes.length));
  }
  scratchInUse = true;
  try {
    return use(scratch.subarray(0, eventContextBytes.length + written.written));
  } finally {
    scratchInUse = false;
  }
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
      const sig = withEventSigningInput(subject, envelope, (input) => backend.mlDsa65.sign(input, key.secretKey));
      return { envelope, signature: { alg: Algorithm.mlDsa65, kid: key.kid, sig: toBase64Url(sig) } };
    },
  };
}
