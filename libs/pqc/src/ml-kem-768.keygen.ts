import { Sizes } from './algorithms.constants.js';
import { assertLength, concatBytes } from './bytes.codec.js';
import { at, bitReverse, mod, modPow, packBits, sampleFromStream, sha3, shake } from './lattice.helpers.js';

/*
 * ML-KEM-768 key generation from the 64-byte seed d‖z, written from FIPS 203 (August 2024).
 * We keep keys as seeds; liboqs needs the expanded decapsulation key, and a PKCS#8 `both` key is
 * checked by expanding its seed, so this derives it without OpenSSL. Encapsulation and
 * decapsulation stay with the backends. Cost: about 0.8 ms per key (10–20 ms for the first call,
 * before the JIT warms up; measured on a 2-core Xeon VM, command in libs/pqc/README.md), paid once
 * per key when it is generated or first used, then cached by the backend. Not hardened against
 * timing side channels: it runs once per key, never on attacker-chosen input.
 */

// Parameter set ML-KEM-768 (FIPS 203 §8, Table 2).
const n = 256;
const q = 3329;
const k = 3;
const eta1 = 2;

// ζ = 17 is a primitive 256th root of unity mod q. NTT uses ζ^BitRev7(i) (Appendix A) and
// MultiplyNTTs uses γ_i = ζ^(2·BitRev7(i)+1).
const zetas = Int32Array.from({ length: 128 }, (_, i) => modPow(17, bitReverse(i, 7), q));
const gammas = Int32Array.from({ length: 128 }, (_, i) => modPow(17, 2 * bitReverse(i, 7) + 1, q));

/** Algorithm 7 SampleNTT(B): uniform coefficients < q from SHAKE128(ρ‖j‖i), 12 bits at a time. */
function sampleNtt(seed: Uint8Array): Int32Array {
  // 4 blocks of 168 bytes give 448 candidates, each accepted with probability 3329/4096.
  return sampleFromStream('shake128', seed, 4 * 168, (c, a) => {
    let j = 0;
    for (let i = 0; i + 2 < c.length && j < n; i += 3) {
      const d1 = at(c, i) + 256 * (at(c, i + 1) % 16);
      const d2 = Math.floor(at(c, i + 1) / 16) + 16 * at(c, i + 2);
      if (d1 < q) a[j++] = d1;
      if (d2 < q && j < n) a[j++] = d2;
    }
    return j;
  });
}

/** Algorithm 8 SamplePolyCBD_η(B): each coefficient is (sum of η bits) − (sum of the next η bits). */
function samplePolyCbd(bytes: Uint8Array, eta: number): Int32Array {
  const bit = (index: number) => (at(bytes, index >> 3) >> (index & 7)) & 1;
  const f = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    let x = 0;
    let y = 0;
    for (let j = 0; j < eta; j += 1) {
      x += bit(2 * i * eta + j);
      y += bit(2 * i * eta + eta + j);
    }
    f[i] = mod(x - y, q);
  }
  return f;
}

/** Algorithm 9 NTT(f). */
function ntt(input: Int32Array): Int32Array {
  const f = Int32Array.from(input);
  let i = 1;
  for (let len = 128; len >= 2; len /= 2) {
    for (let start = 0; start < n; start += 2 * len) {
      const zeta = at(zetas, i++);
      for (let j = start; j < start + len; j += 1) {
        const t = (zeta * at(f, j + len)) % q;
        f[j + len] = mod(at(f, j) - t, q);
        f[j] = (at(f, j) + t) % q;
      }
    }
  }
  return f;
}

/** Algorithm 11 MultiplyNTTs(f̂, ĝ), with Algorithm 12 BaseCaseMultiply inlined. */
function multiplyNtts(f: Int32Array, g: Int32Array): Int32Array {
  const h = new Int32Array(n);
  for (let i = 0; i < 128; i += 1) {
    const [a0, a1, b0, b1] = [at(f, 2 * i), at(f, 2 * i + 1), at(g, 2 * i), at(g, 2 * i + 1)];
    h[2 * i] = (a0 * b0 + ((a1 * b1) % q) * at(gammas, i)) % q;
    h[2 * i + 1] = (a0 * b1 + a1 * b0) % q;
  }
  return h;
}

function add(f: Int32Array, g: Int32Array): Int32Array {
  return f.map((x, i) => (x + at(g, i)) % q);
}

/** Algorithm 5 ByteEncode_12. */
const byteEncode12 = (f: Int32Array) => packBits(f, 12);

/** Algorithm 13 K-PKE.KeyGen(d). */
function kPkeKeyGen(d: Uint8Array): { ekPke: Uint8Array; dkPke: Uint8Array } {
  const g = sha3(512, d, Uint8Array.of(k)); // (ρ, σ) ← G(d‖k)
  const rho = g.subarray(0, 32);
  const sigma = g.subarray(32, 64);
  let counter = 0; // N
  const prf = () => shake('shake256', 64 * eta1, sigma, Uint8Array.of(counter++)); // PRF_η1(σ, N)
  const s = Array.from({ length: k }, () => samplePolyCbd(prf(), eta1));
  const e = Array.from({ length: k }, () => samplePolyCbd(prf(), eta1));
  const sHat = s.map(ntt);
  const eHat = e.map(ntt);
  // t̂ = Â∘ŝ + ê, with Â[i][j] = SampleNTT(ρ‖j‖i).
  const tHat = eHat.map((ei, i) =>
    sHat.reduce((sum, sj, j) => add(sum, multiplyNtts(sampleNtt(concatBytes(rho, Uint8Array.of(j, i))), sj)), ei),
  );
  return { ekPke: concatBytes(...tHat.map(byteEncode12), rho), dkPke: concatBytes(...sHat.map(byteEncode12)) };
}

/**
 * Algorithm 16 ML-KEM.KeyGen_internal(d, z) from `seed` = d‖z (the PKCS#8 `seed` form and what
 * OpenSSL's `raw-seed` holds): encapsulation key ek (1184 bytes) and expanded decapsulation key
 * dk = dk_PKE‖ek‖H(ek)‖z (2400 bytes).
 */
export function mlKem768KeyGen(seed: Uint8Array): { publicKey: Uint8Array; expandedKey: Uint8Array } {
  assertLength(seed, Sizes.mlKem768Seed, 'ML-KEM-768 seed');
  const { ekPke, dkPke } = kPkeKeyGen(seed.subarray(0, 32));
  return { publicKey: ekPke, expandedKey: concatBytes(dkPke, ekPke, sha3(256, ekPke), seed.subarray(32, 64)) };
}
