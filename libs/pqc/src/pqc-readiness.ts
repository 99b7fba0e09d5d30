import { type BackendChoice, instrumentBackend, loadPqcBackend, selfTestBackend } from './backend.loader.js';
import { loadServiceIdentity, loadTrustStore, type ServiceIdentity } from './identity-files.js';
import type { PqcOperationObserver } from './operation-metrics.js';
import { PqcError, PqcNotReadyError, PqcReadinessCode } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import type { TrustStore } from './trust-bundle.js';

export interface PqcReadinessOptions {
  /** Production: true. A failure then throws PqcNotReadyError instead of degrading. */
  readonly required: boolean;
  readonly backend?: BackendChoice;
  /** Load and check this identity's files (tls.crt/key, pqc-keys.json) and the trust bundle. */
  readonly identity?: { readonly dir: string; readonly name: string };
  readonly observer?: PqcOperationObserver;
  readonly now?: number;
  /** Supply a backend yourself (tests, custom builds); it still has to pass the self-test. */
  readonly loadBackend?: () => Promise<PqcBackend>;
}

export type PqcReadiness =
  | {
      readonly ready: true;
      readonly backend: PqcBackend;
      readonly identity?: ServiceIdentity;
      readonly trust?: TrustStore;
    }
  | { readonly ready: false; readonly problems: readonly PqcNotReadyError[] };

/**
 * Call once at start-up, before connecting to NATS. Loads a backend (with a keygen/sign/verify and
 * KEM round-trip self-test) and, if asked, the identity and the trust bundle. With
 * `required: true` any failure throws a PqcNotReadyError whose `code` says what is wrong; with
 * `required: false` the problems are returned and the caller may run without PQC (development).
 */
export async function assertPqcReady(options: PqcReadinessOptions): Promise<PqcReadiness> {
  const problems: PqcNotReadyError[] = [];
  let backend: PqcBackend | undefined;
  try {
    if (options.loadBackend) {
      const custom = await options.loadBackend();
      selfTestBackend(custom);
      backend = options.observer ? instrumentBackend(custom, options.observer) : custom;
    } else {
      backend = await loadPqcBackend({
        ...(options.backend !== undefined && { backend: options.backend }),
        ...(options.observer !== undefined && { observer: options.observer }),
      });
    }
  } catch (cause) {
    problems.push(
      new PqcNotReadyError(
        PqcReadinessCode.backendUnavailable,
        `PQC is unavailable: no backend passed its self-test (wanted ${options.backend ?? 'auto'}; ` +
          `Node ${process.versions.node} with OpenSSL ${process.versions.openssl}; liboqs via @oqs/liboqs-js)`,
        { cause },
      ),
    );
  }
  let identity: ServiceIdentity | undefined;
  let trust: TrustStore | undefined;
  if (options.identity) {
    try {
      identity = await loadServiceIdentity(options.identity.dir, options.identity.name);
      identity.signingKey(options.now);
    } catch (cause) {
      problems.push(toNotReady(cause, PqcReadinessCode.identityMissing));
    }
    if (backend) {
      try {
        trust = await loadTrustStore(backend, options.identity.dir, options.now);
      } catch (cause) {
        problems.push(toNotReady(cause, PqcReadinessCode.trustBundleInvalid));
      }
    }
  }
  if (problems.length > 0 || backend === undefined) {
    const first = problems[0];
    if (options.required && first) {
      if (problems.length === 1) throw first;
      throw new PqcNotReadyError(first.code, problems.map((p) => p.message).join('; '), { cause: new AggregateError(problems) });
    }
    return { ready: false, problems };
  }
  return { ready: true, backend, ...(identity && { identity }), ...(trust && { trust }) };
}

function toNotReady(cause: unknown, code: PqcReadinessCode): PqcNotReadyError {
  if (cause instanceof PqcNotReadyError) return cause;
  const detail = cause instanceof PqcError || cause instanceof Error ? cause.message : String(cause);
  return new PqcNotReadyError(code, detail, { cause });
}
