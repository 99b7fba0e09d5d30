import { CanonicalJsonError } from './pqc.errors.js';

/**
 * Canonical JSON, the byte form that signatures and AEAD associated data are computed over:
 *  - objects: members sorted by key in UTF-16 code-unit order (Array.prototype.sort default),
 *    members whose value is `undefined` are omitted (so an absent optional field and an explicit
 *    `undefined` sign identically);
 *  - no whitespace anywhere; strings and numbers are written exactly as JSON.stringify writes
 *    them (ECMAScript shortest round-trip numbers, the same choice as RFC 8785 JCS);
 *  - rejected: NaN and ±Infinity, bigint, functions, symbols, `undefined` in arrays or at the top,
 *    and objects with a custom toJSON other than Date (Dates become their ISO string).
 * For the ASCII keys and finite numbers our envelopes use, the output equals RFC 8785.
 */
export function canonicalJson(value: unknown): string {
  const out = write(value, '$');
  if (out === undefined) throw new CanonicalJsonError('top-level value is undefined');
  return out;
}

function write(value: unknown, path: string): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path}: non-finite number`);
      return JSON.stringify(value);
    case 'undefined':
      return undefined;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new CanonicalJsonError(`${path}: ${typeof value} has no JSON form`);
    case 'object':
      break;
  }
  if (value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    const items = value.map((item: unknown, i) => {
      const written = write(item, `${path}[${i}]`);
      if (written === undefined) throw new CanonicalJsonError(`${path}[${i}]: undefined in array`);
      return written;
    });
    return `[${items.join(',')}]`;
  }
  if (ArrayBuffer.isView(value)) throw new CanonicalJsonError(`${path}: binary data must be base64url-encoded first`);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    throw new CanonicalJsonError(`${path}: objects with toJSON are not canonicalised`);
  }
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const written = write(record[key], `${path}.${key}`);
    if (written !== undefined) members.push(`${JSON.stringify(key)}:${written}`);
  }
  return `{${members.join(',')}}`;
}

/** UTF-8 bytes of the canonical JSON. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
