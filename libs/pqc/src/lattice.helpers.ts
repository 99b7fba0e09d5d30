import crypto from 'node:crypto';
import { concatBytes, plainBytes } from './bytes.codec.js';

// Small pieces shared by ml-kem-768.keygen.ts and ml-dsa-65.keygen.ts. Hashing is node:crypto's
// SHA-3 family; everything else is plain arithmetic on Int32Array polynomials.

/** Entry `i` of an array whose length the caller controls (keeps `noUncheckedIndexedAccess` quiet). */
export function at(values: ArrayLike<number>, i: number): number {
  return values[i] as number;
}

/** `x mod m` in [0, m), also for negative x. */
export function mod(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}

/** `base^exponent mod m`; m < 2^26, so every product stays below 2^53. */
export function modPow(base: number, exponent: number, m: number): number {
  let result = 1;
  for (let i = 0; i < exponent; i += 1) result = (result * base) % m;
  return result;
}

/** BitRev_bits(i): the `bits` low bits of i in reverse order (FIPS 203 §4.3, FIPS 204 §7.5). */
export function bitReverse(i: number, bits: number): number {
  let reversed = 0;
  for (let b = 0; b < bits; b += 1) reversed |= ((i >> b) & 1) << (bits - 1 - b);
  return reversed;
}

export type Xof = 'shake128' | 'shake256';

/** The first `length` bytes of SHAKE128/256 over the concatenated inputs. */
export function shake(xof: Xof, length: number, ...input: readonly Uint8Array[]): Uint8Array {
  return plainBytes(
    crypto
      .createHash(xof, { outputLength: length })
      .update(concatBytes(...input))
      .digest(),
  );
}

export function sha3(bits: 256 | 512, ...input: readonly Uint8Array[]): Uint8Array {
  return plainBytes(
    crypto
      .createHash(`sha3-${bits}`)
      .update(concatBytes(...input))
      .digest(),
  );
}

/**
 * Rejection sampling over an XOF stream: `fill` reads candidates from the stream into the 256
 * coefficients and returns how many it accepted. A SHAKE stream's prefix does not depend on the
 * requested length, so when `initialLength` bytes fall short (rare) we ask for twice as many and
 * start over.
 */
export function sampleFromStream(
  xof: Xof,
  seed: Uint8Array,
  initialLength: number,
  fill: (stream: Uint8Array, out: Int32Array) => number,
): Int32Array {
  for (let length = initialLength; ; length *= 2) {
    const out = new Int32Array(256);
    if (fill(shake(xof, length, seed), out) === out.length) return out;
  }
}

/**
 * Packs each value into `width` bits, least significant bit first, and the bit string into bytes
 * least significant bit first: BitsToBytes(IntegerToBits(…)) of FIPS 203 Algorithms 3 and 5
 * (ByteEncode) and FIPS 204 Algorithms 16 and 17 (SimpleBitPack, BitPack).
 */
export function packBits(values: ArrayLike<number>, width: number): Uint8Array {
  const out = new Uint8Array((values.length * width) / 8);
  let buffer = 0;
  let buffered = 0;
  let o = 0;
  for (let i = 0; i < values.length; i += 1) {
    buffer |= at(values, i) << buffered;
    buffered += width;
    while (buffered >= 8) {
      out[o++] = buffer & 0xff;
      buffer >>>= 8;
      buffered -= 8;
    }
  }
  return out;
}
