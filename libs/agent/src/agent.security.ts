import path from 'node:path';
import {
  assertPqcReady,
  type BackendChoice,
  createEventSigner,
  createPayloadSealer,
  createReloadingTrustStore,
  createRequestOpener,
  PqcNotReadyError,
  pqcTlsClientOptions,
  SealedRequestType,
  signatureToHeaders,
  type TrustReloadEvent,
} from '@mapek/pqc';
import { ServiceName } from '@mapek/contracts';
import type { OpenRequest } from './actuation.handler.js';
import type { SignEnvelope } from './symptom.pusher.js';
import { ActuationRejectedError, AgentConfigError } from './agent.errors.js';

/** Post-quantum protection of actuation: mTLS to NATS, requests signed by the executor and sealed to this agent. */
export interface AgentSecurityOptions {
  /** Directory written by `mapek pki` (CA, trust bundle, `<identity>/`). */
  readonly identityDir: string;
  /** Identity name in that directory. Default `agent`. */
  readonly identity?: string;
  readonly backend?: BackendChoice;
  /** Who may send actuation requests. Default: the executor. */
  readonly senders?: readonly string[];
  /** Accepted |now − request time|. Default 30 s. */
  readonly clockSkewMs?: number;
  /** How often the trust bundle is checked for a rotation (the executor's new key). Default 5 s. */
  readonly trustReloadMs?: number;
}

/** `MAPEK_IDENTITY_DIR` (and `MAPEK_IDENTITY`, default `agent`) as agent security options; undefined when unset. */
export function agentSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): AgentSecurityOptions | undefined {
  const identityDir = env['MAPEK_IDENTITY_DIR'];
  if (identityDir === undefined || identityDir === '') return undefined;
  const identity = env['MAPEK_IDENTITY'];
  const rawReload = env['MAPEK_TRUST_BUNDLE_RELOAD_MS'];
  if (rawReload === undefined) return { identityDir, ...(identity ? { identity } : {}) };
  const trustReloadMs = Number(rawReload);
  if (!Number.isInteger(trustReloadMs) || trustReloadMs < 500) {
    throw new AgentConfigError(`MAPEK_TRUST_BUNDLE_RELOAD_MS must be an integer of at least 500, got "${rawReload}"`);
  }
  return { identityDir, ...(identity ? { identity } : {}), trustReloadMs };
}

export interface LoadedAgentSecurity {
  /** The identity's name: the `source` of what the agent signs, and its inbox (`inboxPrefixOf`). */
  readonly identity: string;
  readonly tls: { cert: string; key: string; ca: string; rejectUnauthorized: boolean };
  readonly openRequest: OpenRequest;
  /** Signs a pushed symptom with the identity's current ML-DSA-65 key, as the services sign their events. */
  readonly signEnvelope: SignEnvelope;
}

/** Loads the identity (after a PQC self-test) and builds the NATS TLS options and the request opener. */
export async function loadAgentSecurity(
  options: AgentSecurityOptions,
  onTrustReload?: (event: TrustReloadEvent) => void,
): Promise<LoadedAgentSecurity> {
  const name = options.identity ?? ServiceName.agent;
  const dir = path.resolve(options.identityDir);
  let readiness;
  try {
    readiness = await assertPqcReady({ required: true, backend: options.backend ?? 'auto', identity: { dir, name } });
  } catch (error) {
    const detail = error instanceof PqcNotReadyError ? `${error.message} [${error.code}]` : String(error);
    throw new AgentConfigError(`cannot load the agent identity "${name}" from ${dir}: ${detail}`, { cause: error });
  }
  if (!readiness.ready || !readiness.identity || !readiness.trust) throw new AgentConfigError(`identity "${name}" in ${dir} did not load`);
  const { backend, identity } = readiness;
  // A rotated executor key reaches the managed service without restarting it.
  const trust = await createReloadingTrustStore({
    backend,
    dir,
    initial: readiness.trust,
    intervalMs: options.trustReloadMs ?? 5000,
    ...(onTrustReload ? { onReload: onTrustReload } : {}),
  });
  const open = createRequestOpener({
    backend,
    identity,
    trust,
    sealer: createPayloadSealer(backend),
    policy: { [SealedRequestType.actuation]: [...(options.senders ?? [ServiceName.executor])] },
    ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
  });
  return {
    identity: name,
    tls: {
      ...pqcTlsClientOptions({ cert: identity.tls.cert, key: identity.tls.key, ca: identity.tls.ca }),
      cert: identity.tls.cert,
      key: identity.tls.key,
      ca: identity.tls.ca,
      rejectUnauthorized: true,
    },
    openRequest: (message) => {
      try {
        return open(message.subject, message.data, (header) => message.header(header));
      } catch (error) {
        const reason = typeof (error as { reason?: unknown }).reason === 'string' ? (error as { reason: string }).reason : 'open_failed';
        throw new ActuationRejectedError(`${reason}: ${(error as Error).message}`, { cause: error });
      }
    },
    // The current key each time: a rotated key is used without a restart.
    signEnvelope: (envelope, subject) =>
      signatureToHeaders(createEventSigner({ backend, key: identity.signingKey() }).sign(subject, envelope).signature),
  };
}
