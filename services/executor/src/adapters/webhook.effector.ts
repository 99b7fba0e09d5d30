import {
  Algorithm,
  SignatureHeader,
  fromBase64Url,
  toBase64Url,
  type DetachedSignature,
  type PqcBackend,
  type TrustStore,
} from '@mapek/pqc';
import type { EffectorConfig } from '@mapek/contracts';
import { injectTraceContext } from '@mapek/observability';
import { EffectorUnavailableError, type Effector, type EffectorRequest, type EffectorResult } from '../domain/effector.port.js';

type WebhookEffectorConfig = Extract<EffectorConfig, { kind: 'webhook' }>;

/** Signs bytes with the executor's current ML-DSA-65 key. */
export interface WebhookSigner {
  /** The identity whose key signs (`executor`): the receiver looks its key up in the trust bundle. */
  readonly identity: string;
  sign(input: Uint8Array): DetachedSignature;
}

/** Headers of a webhook request besides the signature's own (`Mapek-Sig-Alg`, `Mapek-Sig-Kid`, `Mapek-Sig`). */
export const WebhookHeader = {
  idempotencyKey: 'Idempotency-Key',
  signer: 'Mapek-Signer',
  time: 'Mapek-Sig-Time',
} as const;

const webhookContext = 'mapek.webhook.v1\n';

/**
 * The exact bytes signed, so a receiver in any language can check them: `mapek.webhook.v1`, the
 * URL, the idempotency key and the signing time, each followed by a newline, then the raw body.
 * Binding the URL and key stops a signed request from being replayed elsewhere or as another step.
 */
export function webhookSigningInput(url: string, idempotencyKey: string, time: string, body: string): Uint8Array {
  return new TextEncoder().encode(`${webhookContext}${url}\n${idempotencyKey}\n${time}\n${body}`);
}

/** The body of a webhook request. */
export interface WebhookRequestBody {
  readonly requestId: string;
  readonly planId: string;
  readonly step: number;
  readonly target: string;
  readonly action: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly rollback: boolean;
}

/**
 * What a receiver does with a request (exported for receivers written in TypeScript and for the
 * tests): the signature over {@link webhookSigningInput} checks out with the signer's key in the
 * trust bundle, and it was signed within `maxAgeMs`.
 */
export function verifyWebhookRequest(options: {
  readonly backend: PqcBackend;
  readonly trust: TrustStore;
  readonly url: string;
  readonly header: (name: string) => string | undefined;
  readonly body: string;
  readonly now?: number;
  readonly maxAgeMs?: number;
}): { readonly ok: true; readonly signer: string } | { readonly ok: false; readonly reason: string } {
  const { header } = options;
  const signer = header(WebhookHeader.signer);
  const kid = header(SignatureHeader.kid);
  const sig = header(SignatureHeader.sig);
  const time = header(WebhookHeader.time);
  const key = header(WebhookHeader.idempotencyKey);
  if (header(SignatureHeader.alg) !== Algorithm.mlDsa65 || !signer || !kid || !sig || !time || !key)
    return { ok: false, reason: 'missing_signature' };
  const now = options.now ?? Date.now();
  const signedAt = Date.parse(time);
  if (!Number.isFinite(signedAt) || Math.abs(now - signedAt) > (options.maxAgeMs ?? 300_000)) return { ok: false, reason: 'stale' };
  const publicKey = options.trust.verificationKey(signer, kid, signedAt);
  if (!publicKey) return { ok: false, reason: 'unknown_key' };
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(sig, SignatureHeader.sig);
  } catch {
    return { ok: false, reason: 'bad_signature' };
  }
  const valid = options.backend.mlDsa65.verify(webhookSigningInput(options.url, key, time, options.body), signature, publicKey);
  return valid ? { ok: true, signer } : { ok: false, reason: 'bad_signature' };
}

/**
 * POSTs the step to an HTTP endpoint of the target's own. The request carries the step id as its
 * `Idempotency-Key` (the same on every retry, so the receiver acts once) and, with an identity, a
 * detached ML-DSA-65 signature of the executor over URL, key, time and body. A 2xx answer is
 * success; another 4xx is a failed step; 5xx, 429, a timeout or no connection are retried.
 */
export class WebhookEffector implements Effector {
  readonly name = 'webhook';

  constructor(
    private readonly config: WebhookEffectorConfig,
    private readonly signer?: WebhookSigner,
    private readonly environment: NodeJS.ProcessEnv = process.env,
  ) {}

  async run(request: EffectorRequest): Promise<EffectorResult> {
    const body: WebhookRequestBody = {
      requestId: request.requestId,
      planId: request.planId,
      step: request.index,
      target: request.step.target,
      action: request.step.action,
      params: request.step.params,
      rollback: request.rollback,
    };
    const text = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json', [WebhookHeader.idempotencyKey]: request.requestId };
    for (const [name, variable] of Object.entries(this.config.headersFromEnv)) {
      const value = this.environment[variable];
      if (!value) return { ok: false, detail: `header ${name} needs ${variable}, which is not set`, errorCode: 'missing_credential' };
      headers[name] = value;
    }
    if (this.signer) {
      const time = new Date().toISOString();
      const signature = this.signer.sign(webhookSigningInput(this.config.url, request.requestId, time, text));
      Object.assign(headers, {
        [SignatureHeader.alg]: signature.alg,
        [SignatureHeader.kid]: signature.kid,
        [SignatureHeader.sig]: signature.sig,
        [WebhookHeader.signer]: this.signer.identity,
        [WebhookHeader.time]: time,
      });
    }
    // The effector's span (traced.effector.ts) is active: the receiver may continue the incident's trace.
    injectTraceContext({ set: (name, value) => (headers[name] = value) });
    let response: Response;
    try {
      response = await fetch(this.config.url, {
        method: 'POST',
        headers,
        body: text,
        signal: AbortSignal.timeout(request.step.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new EffectorUnavailableError(
        timedOut ? 'timeout' : 'transport',
        timedOut
          ? `webhook ${this.config.url} did not answer in ${request.step.timeoutMs} ms`
          : `webhook ${this.config.url}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const answer = (await response.text()).slice(0, 1000);
    if (response.status >= 500 || response.status === 429)
      throw new EffectorUnavailableError('transport', `webhook ${this.config.url} answered ${response.status}: ${answer}`);
    if (!response.ok) return { ok: false, detail: `webhook answered ${response.status}: ${answer}`, errorCode: `http_${response.status}` };
    return { ok: true, detail: `webhook answered ${response.status}${answer ? `: ${answer}` : ''}` };
  }
}

/** A webhook signer from the executor's identity and PQC backend. */
export function webhookSignerOf(options: {
  readonly backend: PqcBackend;
  readonly identity: { readonly name: string; signingKey(at?: number): { kid: string; secretKey: Uint8Array } };
}): WebhookSigner {
  return {
    identity: options.identity.name,
    sign: (input) => {
      const key = options.identity.signingKey(Date.now());
      return { alg: Algorithm.mlDsa65, kid: key.kid, sig: toBase64Url(options.backend.mlDsa65.sign(input, key.secretKey)) };
    },
  };
}
