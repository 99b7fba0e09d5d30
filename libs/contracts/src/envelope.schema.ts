import { z } from 'zod';
import { isoTimeSchema, targetSchema, uuidSchema } from './events/common.schema.js';
import { eventRegistry, type EventContract, type EventData, type EventType } from './event-registry.js';

/**
 * The CloudEvents-like envelope every loop event travels in. `incidentId` links
 * symptom → analysis → plan → execution → outcome; `causationId` is the event that caused this one.
 * Trace context travels in the `traceparent` header, not here.
 */
export const envelopeSchema = z.object({
  id: uuidSchema,
  type: z.string().min(1),
  version: z.number().int().positive(),
  source: z.string().min(1).max(200),
  time: isoTimeSchema,
  target: targetSchema,
  incidentId: uuidSchema.optional(),
  causationId: uuidSchema.optional(),
  data: z.unknown(),
  /** Detached signature over the canonical envelope + subject (see libs/pqc), when signing is on. */
  signature: z.object({ alg: z.string(), keyId: z.string(), value: z.string() }).optional(),
});
export type RawEnvelope = z.infer<typeof envelopeSchema>;

export interface Envelope<T extends EventType = EventType> extends Omit<RawEnvelope, 'type' | 'data'> {
  type: T;
  data: EventData<T>;
}

export const EnvelopeRejectReason = {
  malformed: 'malformed',
  unknownType: 'unknown_type',
  unsupportedVersion: 'unsupported_version',
  invalidData: 'invalid_data',
  subjectMismatch: 'subject_mismatch',
  notAuthorized: 'not_authorized',
} as const;
export type EnvelopeRejectReason = (typeof EnvelopeRejectReason)[keyof typeof EnvelopeRejectReason];

export type EnvelopeParseResult =
  | {
      ok: true;
      envelope: Envelope;
      /**
       * The body as parsed JSON, as its sender wrote it (before the contract's defaults and
       * transforms): what a signature check needs, so it need not decode and parse the body again.
       */
      sent: unknown;
    }
  | { ok: false; reason: EnvelopeRejectReason; detail: string };

/** Validates raw bytes against the envelope and the registry's schema for its type, without throwing. */
export function parseEnvelope(bytes: Uint8Array): EnvelopeParseResult {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    return { ok: false, reason: EnvelopeRejectReason.malformed, detail: `not JSON: ${(error as Error).message}` };
  }
  const raw = envelopeSchema.safeParse(json);
  if (!raw.success) return { ok: false, reason: EnvelopeRejectReason.malformed, detail: z.prettifyError(raw.error) };
  const type = raw.data.type;
  if (!Object.hasOwn(eventRegistry, type)) {
    return { ok: false, reason: EnvelopeRejectReason.unknownType, detail: `unknown event type "${type}"` };
  }
  const entry = eventRegistry[type as EventType];
  if (raw.data.version !== entry.version) {
    return {
      ok: false,
      reason: EnvelopeRejectReason.unsupportedVersion,
      detail: `${type} version ${raw.data.version} is not supported (expected ${entry.version})`,
    };
  }
  // A sample batch's thousands of samples are checked in place rather than copied by zod: what
  // `accepts` says yes to, the schema would return unchanged.
  if ((entry as EventContract).accepts?.(raw.data.data) === true)
    return { ok: true, envelope: { ...raw.data, type: type as EventType, data: raw.data.data as EventData<EventType> }, sent: json };
  const data = entry.schema.safeParse(raw.data.data);
  if (!data.success) return { ok: false, reason: EnvelopeRejectReason.invalidData, detail: z.prettifyError(data.error) };
  return { ok: true, envelope: { ...raw.data, type: type as EventType, data: data.data }, sent: json };
}

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(envelope));
}
