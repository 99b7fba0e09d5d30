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
  try {
    const out = write(value);
    if (out === undefined) throw new PathError('top-level value is undefined');
    return out;
  } catch (error) {
    if (error instanceof PathError) throw new CanonicalJsonError(`$${error.path}: ${error.message}`);
    throw error;
  }
}

// Hot path for ~1 KB envelopes and ~100 KB telemetry batches: plain string concatenation, no
// per-value path strings; the path of an offending value is collected only while unwinding.
class PathError extends Error {
  path = '';
}

// Quote, backslash, C0 controls and surrogates need JSON.stringify's escaping; anything else is
// written as is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

function writeString(text: string): string {
  return needsEscape.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * Whether `JSON.stringify(value)` is already the canonical form: plain objects whose keys are in
 * ascending order with no toJSON, arrays with no undefined element, strings, finite numbers,
 * booleans and null, all the way down (undefined object members are omitted by both). Stops at the
 * first thing that is not, so a value that fails costs little more than the walk up to it.
 */
export function stringifiesCanonically(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      return false;
  }
  if (value === null) return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const element: unknown = value[i];
      if (element === undefined || !stringifiesCanonically(element)) return false;
    }
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) return false;
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    const member = record[key];
    if (member !== undefined && !stringifiesCanonically(member)) return false;
  }
  return true;
}

function write(value: unknown): string | undefined {
  // Most of a sample batch is objects built with their keys in order: the engine's own
  // JSON.stringify writes those several times faster than the concatenation below.
  if (typeof value === 'object' && value !== null && stringifiesCanonically(value)) return JSON.stringify(value);
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new PathError('non-finite number');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new PathError(`${typeof value} has no JSON form`);
    case 'object':
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      let written: string | undefined;
      try {
        written = write(value[i]);
        if (written === undefined) throw new PathError('undefined in array');
      } catch (error) {
        if (error instanceof PathError) error.path = `[${i}]${error.path}`;
        throw error;
      }
      out += i === 0 ? written : `,${written}`;
    }
    return `${out}]`;
  }
  if (value instanceof Date) return `"${value.toISOString()}"`;
  if (ArrayBuffer.isView(value)) throw new PathError('binary data must be base64url-encoded first');
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw new PathError('objects with toJSON are not canonicalised');
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    let written: string | undefined;
    try {
      written = write(record[key]);
    } catch (error) {
      if (error instanceof PathError) error.path = `.${key}${error.path}`;
      throw error;
    }
    if (written === undefined) continue;
    out += `${first ? '' : ','}${writeString(key)}:${written}`;
    first = false;
  }
  return `${out}}`;
}

/** UTF-8 bytes of the canonical JSON. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
