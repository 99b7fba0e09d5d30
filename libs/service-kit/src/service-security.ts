import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { fileExists } from '@mapek/config';
import { MapekError } from '@mapek/contracts';
import { createEnvelopeSigner, createEnvelopeVerifier, type EnvelopeSigner, type EnvelopeVerifier } from '@mapek/messaging';
import { addSpanEvent, type Logger, type ServiceMetrics } from '@mapek/observability';
import {
  assertPqcReady,
  createPayloadSealer,
  createReloadingTrustStore,
  PqcNotReadyError,
  type PayloadSealer,
  type PqcBackend,
  type PqcOperationObserver,
  pqcTlsClientOptions,
  pqcTlsServerOptions,
  type ServiceIdentity,
  type TrustStore,
} from '@mapek/pqc';

/** Why a service refuses to start for security reasons; the message is for a human at a terminal. */
export class SecurityNotReadyError extends MapekError {
  readonly retryable = false;
  constructor(
    readonly code: 'identity_missing' | 'pqc_not_ready' | 'tls_missing',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SecuritySettings {
  readonly service: string;
  readonly environment: 'development' | 'production';
  readonly pqcRequired: boolean;
  readonly identityDir: string | undefined;
  readonly identityName: string | undefined;
  readonly backend: 'auto' | 'node' | 'liboqs';
  readonly clockSkewMs: number;
  readonly natsUrl: string;
  /** The service serves HTTPS (the gateway): load `<identity>/https.crt` and `https.key`. */
  readonly https: boolean;
  /** How often the trust bundle file is checked for a rotation (ms). */
  readonly trustReloadMs: number;
}

/** A service's loaded identity and what it derives: NATS mTLS, event signing and checking, sealing. */
export interface ServiceSecurity {
  readonly backend: PqcBackend;
  readonly identity: ServiceIdentity;
  readonly trust: TrustStore;
  readonly identityDir: string;
  /** For nats.js `tls` (which hands extra fields such as `ecdhCurve` to tls.connect). */
  readonly natsTls: ConnectionOptions & { cert: string; key: string; ca: string; rejectUnauthorized: boolean };
  readonly signer: EnvelopeSigner;
  readonly verifier: EnvelopeVerifier;
  readonly sealer: PayloadSealer;
  /** Fastify `https` options when the service serves HTTPS. */
  readonly https: TlsOptions | undefined;
}

/**
 * Feeds every PQC operation of the service into mapek_pqc_operation_duration_seconds and, when the
 * active span is recorded, adds it to that span as an event `pqc.<op>` (algorithm, backend,
 * duration), dated at the operation's start. An event, not a child span: a signature or a check
 * takes well under a millisecond and every message has one, so a span each would double the spans
 * exported per hop for no structure the event does not show. With tracing off it costs one
 * context lookup.
 */
export function pqcOperationObserver(metrics: ServiceMetrics): PqcOperationObserver {
  return (sample) => {
    metrics.pqcOperationDuration.observe({ op: sample.op, alg: sample.alg, backend: sample.backend }, sample.seconds);
    addSpanEvent(
      `${PQC_EVENT_PREFIX}${sample.op}`,
      {
        [PqcSpanAttribute.operation]: sample.op,
        [PqcSpanAttribute.algorithm]: sample.alg,
        [PqcSpanAttribute.backend]: sample.backend,
        [PqcSpanAttribute.durationMs]: sample.seconds * 1000,
      },
      Date.now() - sample.seconds * 1000,
    );
  };
}

/** Span events of PQC operations are named `pqc.<op>` (`pqc.sign`, `pqc.verify`, `pqc.seal`, …). */
export const PQC_EVENT_PREFIX = 'pqc.';

/** The attributes of a `pqc.<op>` span event. */
export const PqcSpanAttribute = {
  operation: 'pqc.operation',
  algorithm: 'pqc.algorithm',
  backend: 'pqc.backend',
  durationMs: 'pqc.duration_ms',
} as const;

/** Where the HTTPS certificate of a serving identity lives (written by `mapek pki` for the gateway). */
export function httpsCertificatePaths(dir: string, name: string) {
  return { cert: path.join(dir, name, 'https.crt'), key: path.join(dir, name, 'https.key') } as const;
}

/**
 * Loads the service's identity (ML-DSA-65 and X-Wing keys, X.509 certificate) and the CA-signed
 * trust bundle, after a PQC backend passed its self-test. Returns undefined when no identity is
 * configured in development (no signing, no TLS: the plain integration tests). In production
 * (`ENVIRONMENT=production` or `PQC_REQUIRED=true`) a missing backend, identity or TLS throws
 * {@link SecurityNotReadyError}; so does a configured identity that cannot be loaded.
 */
export async function loadServiceSecurity(
  settings: SecuritySettings,
  metrics: ServiceMetrics,
  logger: Logger,
): Promise<ServiceSecurity | undefined> {
  const identityDir = await requireIdentityDir(settings, logger);
  if (identityDir === undefined) return undefined;
  const name = settings.identityName ?? settings.service;
  const dir = path.resolve(identityDir);
  const observer = pqcOperationObserver(metrics);
  const { backend, identity, trust: initialTrust } = await loadIdentity(settings, dir, name, observer);
  const trust = await followTrustBundle(settings, backend, dir, initialTrust, metrics, logger);
  const https = settings.https ? await httpsServerOptions(dir, name, identity) : undefined;
  logger.info({ identity: identity.spiffeId, backend: backend.name }, 'identity loaded: events are signed and checked, NATS over mTLS');
  return {
    backend,
    identity,
    trust,
    identityDir: dir,
    natsTls: {
      ...pqcTlsClientOptions({ cert: identity.tls.cert, key: identity.tls.key, ca: identity.tls.ca }),
      cert: identity.tls.cert,
      key: identity.tls.key,
      ca: identity.tls.ca,
      rejectUnauthorized: true,
    },
    signer: createEnvelopeSigner({ backend, identity }),
    verifier: createEnvelopeVerifier({ backend, trust, clockSkewMs: settings.clockSkewMs }),
    sealer: createPayloadSealer(backend, observer),
    https,
  };
}

/**
 * The identity directory, or undefined when security is simply off (development). Production and
 * PQC_REQUIRED refuse to go on without an identity or with NATS in plain text, naming every problem.
 */
async function requireIdentityDir(settings: SecuritySettings, logger: Logger): Promise<string | undefined> {
  const required = settings.environment === 'production' || settings.pqcRequired;
  const why = settings.environment === 'production' ? 'ENVIRONMENT=production' : 'PQC_REQUIRED=true';
  if (settings.identityDir === undefined) {
    if (!required) {
      logger.warn('MAPEK_IDENTITY_DIR is not set: events are not signed or checked and NATS runs without TLS (development only)');
      return undefined;
    }
    // Still report whether PQC itself works, so the message names every problem.
    const readiness = await assertPqcReady({ required: false, backend: settings.backend });
    const pqc = readiness.ready ? '' : ` PQC is unavailable too: ${readiness.problems.map((p) => p.message).join('; ')}.`;
    throw new SecurityNotReadyError(
      'identity_missing',
      `${why} needs an identity and TLS, but MAPEK_IDENTITY_DIR is not set (create one with: node tools/pki/dist/cli.js init --out ./certs).${pqc}`,
    );
  }
  if (required && !/^(nats|tls):/.test(settings.natsUrl)) {
    throw new SecurityNotReadyError('tls_missing', `${why} needs TLS to NATS, but NATS_URL is ${settings.natsUrl}`);
  }
  return settings.identityDir;
}

/** Loads the service's keys and certificates and checks that the PQC backend works with them. */
async function loadIdentity(settings: SecuritySettings, dir: string, name: string, observer: PqcOperationObserver) {
  let readiness;
  try {
    readiness = await assertPqcReady({ required: true, backend: settings.backend, identity: { dir, name }, observer });
  } catch (error) {
    const detail = error instanceof PqcNotReadyError ? `${error.message} [${error.code}]` : (error as Error).message;
    throw new SecurityNotReadyError('pqc_not_ready', `cannot load identity "${name}" from ${dir}: ${detail}`, { cause: error });
  }
  if (!readiness.ready || !readiness.identity || !readiness.trust) {
    throw new SecurityNotReadyError('pqc_not_ready', `identity "${name}" in ${dir} did not load`);
  }
  return { backend: readiness.backend, identity: readiness.identity, trust: readiness.trust };
}

/** The trust bundle, reloaded when it changes: rotations reach this service without a restart. */
async function followTrustBundle(
  settings: SecuritySettings,
  backend: PqcBackend,
  dir: string,
  initial: TrustStore,
  metrics: ServiceMetrics,
  logger: Logger,
): Promise<TrustStore> {
  const trust = await createReloadingTrustStore({
    backend,
    dir,
    initial,
    intervalMs: settings.trustReloadMs,
    onReload: (event) => {
      metrics.trustBundleReloads.inc({ result: event.result });
      if (event.result === 'reloaded') {
        metrics.trustBundleNotAfter.set((event.notAfter ?? 0) / 1000);
        logger.info({ trustBundle: { notAfter: new Date(event.notAfter ?? 0).toISOString() } }, 'trust bundle reloaded');
      } else {
        logger.error({ err: event.error }, 'trust bundle changed but was refused; the previous bundle stays in force');
      }
    },
  });
  metrics.trustBundleNotAfter.set(trust.notAfter / 1000);
  return trust;
}

/** The gateway's HTTPS: its certificate from the identity directory, no client certificate asked. */
async function httpsServerOptions(dir: string, name: string, identity: ServiceIdentity): Promise<TlsOptions> {
  const files = httpsCertificatePaths(dir, name);
  if (!(await fileExists(files.cert)) || !(await fileExists(files.key))) {
    throw new SecurityNotReadyError(
      'tls_missing',
      `HTTPS needs ${files.cert} and ${files.key} (run: node tools/pki/dist/cli.js init --out ${dir})`,
    );
  }
  const [cert, key] = await Promise.all([readFile(files.cert, 'utf8'), readFile(files.key, 'utf8')]);
  // Browsers and curl present no client certificate: the API authenticates its callers itself.
  return pqcTlsServerOptions({ cert, key, ca: identity.tls.ca }, { requireClientCert: false });
}
