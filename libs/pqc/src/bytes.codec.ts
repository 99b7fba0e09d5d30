import { InvalidInputError } from './pqc.errors.js';

/** A plain Uint8Array view over the same memory (liboqs rejects Buffer by constructor name). */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

const base64UrlPattern = /^[A-Za-z0-9_-]*$/;

export function fromBase64Url(text: string, field: string, expectedLength?: number): Uint8Array {
  if (typeof text !== 'string' || !base64UrlPattern.test(text)) {
    throw new InvalidInputError(`${field} is not base64url`);
  }
  const bytes = plainBytes(Buffer.from(text, 'base64url'));
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    throw new InvalidInputError(`${field} must be ${expectedLength} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  return plainBytes(Buffer.concat(parts));
}

export function utf8(text: string): Uint8Array {
  return plainBytes(Buffer.from(text, 'utf8'));
}

export function assertLength(bytes: Uint8Array, length: number, field: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new InvalidInputError(`${field} must be ${length} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
}
