import crypto from 'node:crypto';

/** Key id: a short prefix naming the algorithm plus 128 bits of SHA-256 over the public key. */
export function keyIdFor(alg: 'ML-DSA-65' | 'X-Wing', publicKey: Uint8Array): string {
  const prefix = alg === 'ML-DSA-65' ? 'mldsa65' : 'xwing';
  return `${prefix}:${crypto.createHash('sha256').update(publicKey).digest().subarray(0, 16).toString('base64url')}`;
}
