import { Sizes } from './algorithms.constants.js';
import { assertLength, concatBytes } from './bytes.codec.js';
import { at, bitReverse, mod, modPow, packBits, sampleFromStream, shake } from './lattice.helpers.js';

/*
 * ML-DSA-65 key generation from the 32-byte seed ξ, written from FIPS 204 (August 2024).
 * We keep keys as seeds; liboqs signs with the expanded secret key, and a PKCS#8 `both` key is
 * checked by expanding its seed, so this derives it without OpenSSL. Signing and verification
 * stay with the backends. Cost: about 2 ms per key (15–50 ms for the first call, before the JIT
 * warms up; measured on a 2-core Xeon VM, command in libs/pqc/README.md), paid once per key when
 * it is generated or first used, then cached by the backend. Not hardened against timing side
 * channels: it runs once per key, never on attacker-chosen input.
 */

// Parameter set ML-DSA-65 (FIPS 204 §4, Table 1).
const n = 256;
const q = 8380417;
const d = 13;
const k = 6;
const l = 5;
const eta = 4;

// ζ = 1753 is a primitive 512th root of unity mod q; NTT uses ζ^BitRev8(m) (Appendix B).
const zetas = Int32Array.from({ length: n }, (_, m) => modPow(1753, bitReverse(m, 8), q));
/** 256⁻¹ mod q, the final scaling of NTT⁻¹. */
const nInverse = 8347681;

/** Algorithm 30 RejNTTPoly(ρ'), with Algorithm 14 CoeffFromThreeBytes: 23-bit candidates < q. */
function rejNttPoly(seed: Uint8Array): Int32Array {
  // 5 blocks of 168 bytes give 280 candidates, each accepted with probability q/2^23 ≈ 0.999.
  return sampleFromStream('shake128', seed, 5 * 168, (s, a) => {
    let j = 0;
    for (let i = 0; i + 2 < s.length && j < n; i += 3) {
      const z = 65536 * (at(s, i + 2) & 0x7f) + 256 * at(s, i + 1) + at(s, i);
      if (z < q) a[j++] = z;
    }
    return j;
  });
}

/** Algorithm 15 CoeffFromHalfByte for η = 4: b < 9 gives 4 − b, anything else is rejected. */
const coeffFromHalfByte = (b: number): number | undefined => (b < 9 ? eta - b : undefined);

/** Algorithm 31 RejBoundedPoly(ρ'): coefficients in [−η, η] (kept signed here). */
function rejBoundedPoly(seed: Uint8Array): Int32Array {
  // 3 blocks of 136 bytes give 816 half-bytes, each accepted with probability 9/16.
  return sampleFromStream('shake256', seed, 3 * 136, (z, a) => {
    let j = 0;
    for (let i = 0; i < z.length && j < n; i += 1) {
      for (const half of [at(z, i) % 16, Math.floor(at(z, i) / 16)]) {
        const c = coeffFromHalfByte(half);
        if (c !== undefined && j < n) a[j++] = c;
      }
    }
    return j;
  });
}

/** Algorithm 32 ExpandA(ρ): Â[r][s] = RejNTTPoly(ρ‖IntegerToBytes(s, 1)‖IntegerToBytes(r, 1)). */
function expandA(rho: Uint8Array): Int32Array[][] {
  return Array.from({ length: k }, (_, r) => Array.from({ length: l }, (_, s) => rejNttPoly(concatBytes(rho, Uint8Array.of(s, r)))));
}

/** Algorithm 33 ExpandS(ρ'): s1 from counters 0…l−1, s2 from l…l+k−1 (IntegerToBytes(r, 2)). */
function expandS(rhoPrime: Uint8Array): { s1: Int32Array[]; s2: Int32Array[] } {
  const poly = (r: number) => rejBoundedPoly(concatBytes(rhoPrime, Uint8Array.of(r & 0xff, r >> 8)));
  return {
    s1: Array.from({ length: l }, (_, r) => poly(r)),
    s2: Array.from({ length: k }, (_, r) => poly(r + l)),
  };
}

/** Algorithm 41 NTT(w); coefficients taken mod q first. Products stay below q² < 2^47. */
function ntt(input: Int32Array): Int32Array {
  const w = input.map((x) => mod(x, q));
  let m = 0;
  for (let len = 128; len >= 1; len /= 2) {
    for (let start = 0; start < n; start += 2 * len) {
      const z = at(zetas, ++m);
      for (let j = start; j < start + len; j += 1) {
        const t = (z * at(w, j + len)) % q;
        w[j + len] = mod(at(w, j) - t, q);
        w[j] = (at(w, j) + t) % q;
      }
    }
  }
  return w;
}

/** Algorithm 42 NTT⁻¹(ŵ). */
function inverseNtt(input: Int32Array): Int32Array {
  const w = Int32Array.from(input);
  let m = n;
  for (let len = 1; len < n; len *= 2) {
    for (let start = 0; start < n; start += 2 * len) {
      const z = q - at(zetas, --m); // −ζ^BitRev8(m) mod q
      for (let j = start; j < start + len; j += 1) {
        const t = at(w, j);
        w[j] = (t + at(w, j + len)) % q;
        w[j + len] = (z * mod(t - at(w, j + len), q)) % q;
      }
    }
  }
  return w.map((x) => (nInverse * x) % q);
}

/** Algorithm 35 Power2Round(r): r = t1·2^d + t0 with t0 in (−2^(d−1), 2^(d−1)]. */
function power2Round(r: number): { t1: number; t0: number } {
  let t0 = r % 2 ** d;
  if (t0 > 2 ** (d - 1)) t0 -= 2 ** d;
  return { t1: (r - t0) / 2 ** d, t0 };
}

/**
 * Algorithm 6 ML-DSA.KeyGen_internal(ξ): public key pk (1952 bytes, Algorithm 22 pkEncode) and
 * expanded secret key sk (4032 bytes, Algorithm 24 skEncode). `seed` is ξ, the PKCS#8 `seed` form
 * and what OpenSSL's `raw-seed` holds.
 */
export function mlDsa65KeyGen(seed: Uint8Array): { publicKey: Uint8Array; expandedKey: Uint8Array } {
  assertLength(seed, Sizes.mlDsa65Seed, 'ML-DSA-65 seed');
  const h = shake('shake256', 128, seed, Uint8Array.of(k, l)); // H(ξ‖IntegerToBytes(k,1)‖IntegerToBytes(l,1), 128)
  const rho = h.subarray(0, 32);
  const rhoPrime = h.subarray(32, 96);
  const key = h.subarray(96, 128); // K
  const aHat = expandA(rho);
  const { s1, s2 } = expandS(rhoPrime);
  const s1Hat = s1.map(ntt);
  // t = NTT⁻¹(Â ∘ NTT(s1)) + s2, then (t1, t0) = Power2Round(t), coefficient by coefficient.
  const t1: Int32Array[] = [];
  const t0: Int32Array[] = [];
  aHat.forEach((row, i) => {
    const product = new Int32Array(n);
    row.forEach((aij, j) => {
      const sj = s1Hat[j] as Int32Array;
      for (let c = 0; c < n; c += 1) product[c] = (at(product, c) + ((at(aij, c) * at(sj, c)) % q)) % q;
    });
    const t = inverseNtt(product).map((x, c) => mod(x + at(s2[i] as Int32Array, c), q));
    const split = Array.from(t, power2Round);
    t1.push(Int32Array.from(split, (p) => p.t1));
    t0.push(Int32Array.from(split, (p) => p.t0));
  });
  // pkEncode: ρ‖SimpleBitPack(t1[i], 2^(bitlen(q−1)−d) − 1), 10 bits per coefficient.
  const publicKey = concatBytes(rho, ...t1.map((p) => packBits(p, 10)));
  const tr = shake('shake256', 64, publicKey);
  // skEncode: ρ‖K‖tr‖BitPack(s1, η, η)‖BitPack(s2, η, η)‖BitPack(t0, 2^(d−1)−1, 2^(d−1)); BitPack
  // writes b − w, so η − s in 4 bits and 2^(d−1) − t0 in 13 bits.
  const expandedKey = concatBytes(
    rho,
    key,
    tr,
    ...[...s1, ...s2].map((p) =>
      packBits(
        p.map((c) => eta - c),
        4,
      ),
    ),
    ...t0.map((p) =>
      packBits(
        p.map((c) => 2 ** (d - 1) - c),
        d,
      ),
    ),
  );
  return { publicKey, expandedKey };
}
