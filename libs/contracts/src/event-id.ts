import { createHash, randomBytes } from 'node:crypto';

function format(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function stamp(bytes: Uint8Array, millis: number): void {
  let ms = BigInt(Math.max(0, Math.floor(millis)));
  for (let index = 5; index >= 0; index--) {
    bytes[index] = Number(ms & 0xffn);
    ms >>= 8n;
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70; // version 7
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
}

/** A fresh UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Sorts by creation time. */
export function newEventId(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  stamp(bytes, now);
  return format(bytes);
}

/** Milliseconds since the epoch encoded in a UUIDv7. */
export function eventIdTime(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

/**
 * A UUIDv7-shaped id derived deterministically from the event that caused it and a purpose.
 * A handler that is redelivered the same message therefore publishes the same id, and
 * JetStream's duplicate window (`Nats-Msg-Id`) stores it once: exactly one effect per cause.
 */
export function deriveEventId(causationId: string, purpose: string): string {
  return deriveEventIdAt(causationId, purpose, eventIdTime(causationId));
}

/**
 * A UUIDv7-shaped id derived from any stable key (not only an event id), stamped with `millis`:
 * for events whose cause comes from outside mapek, such as an Alertmanager alert, keyed by its
 * fingerprint and start, so that the alert sent again is the same event.
 */
export function deriveEventIdAt(key: string, purpose: string, millis: number): string {
  const digest = createHash('sha256').update(key).update('\u0000').update(purpose).digest();
  const bytes = new Uint8Array(digest.subarray(0, 16));
  stamp(bytes, millis);
  return format(bytes);
}
