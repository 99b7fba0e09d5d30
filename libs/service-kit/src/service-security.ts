import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { fileExists } from '@mapek/config';
import { MapekError } from '@mapek/contracts';
import { createEnvelopeSigner, createEnvelopeVerifier, type EnvelopeSigner, type EnvelopeVerifier } from '@mapek/messaging';
import type { Logger, ServiceMetrics } from '@mapek/observability';
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

/** Feeds every PQC operation of the service into mapek_pqc_operation_duration_seconds. */
export function pqcMetricsObserver(metrics: ServiceMetrics): PqcOperationObserver {
  return (sample) => metrics.pqcOperationDuration.observe({ op: sample.op, alg: sample.alg, backend: sample.backend }, sample.seconds);
}

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
  const required = settings.environment === 'production' || settings.pqcRequired;
  const why = settings.environment === 'production' ? 'ENVIRONMENT=production' : 'PQC_REQUIRED=true';
  const observer = pqcMetricsObserver(metrics);
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
  const name = settings.identityName ?? settings.service;
  const dir = path.resolve(settings.identityDir);
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
  const { backend, identity } = readiness;
  // Rotations reach this service without a restart: a new, CA-signed bundle replaces the old one.
  const trust = await createReloadingTrustStore({
    backend,
    dir,
    initial: readiness.trust,
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
  let https: TlsOptions | undefined;
  if (settings.https) {
    const files = httpsCertificatePaths(dir, name);
    if (!(await fileExists(files.cert)) || !(await fileExists(files.key))) {
      throw new SecurityNotReadyError('tls_missing', `HTTPS needs ${files.cert} and ${files.key} (run: node tools/pki/dist/cli.js init --out ${dir})`);
    }
    const [cert, key] = await Promise.all([readFile(files.cert, 'utf8'), readFile(files.key, 'utf8')]);
    // Browsers and curl present no client certificate: the API authenticates its callers itself.
    https = pqcTlsServerOptions({ cert, key, ca: identity.tls.ca }, { requireClientCert: false });
  }
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
