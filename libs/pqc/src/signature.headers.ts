import { Algorithm } from './algorithms.constants.js';
import type { DetachedSignature } from './trust-bundle.js';

/**
 * Message headers carrying a detached event signature, for a messaging layer that keeps the
 * envelope as the message body. Values are ASCII (base64url), so they fit NATS headers.
 */
export const SignatureHeader = {
  alg: 'Mapek-Sig-Alg',
  kid: 'Mapek-Sig-Kid',
  sig: 'Mapek-Sig',
} as const;
export type SignatureHeader = (typeof SignatureHeader)[keyof typeof SignatureHeader];

export function signatureToHeaders(signature: DetachedSignature): Record<SignatureHeader, string> {
  return { [SignatureHeader.alg]: signature.alg, [SignatureHeader.kid]: signature.kid, [SignatureHeader.sig]: signature.sig };
}

/** Undefined when any header is missing or the algorithm is not ML-DSA-65 (verify → bad_signature). */
export function signatureFromHeaders(header: (name: SignatureHeader) => string | undefined): DetachedSignature | undefined {
  const alg = header(SignatureHeader.alg);
  const kid = header(SignatureHeader.kid);
  const sig = header(SignatureHeader.sig);
  if (alg !== Algorithm.mlDsa65 || !kid || !sig) return undefined;
  return { alg, kid, sig };
}
