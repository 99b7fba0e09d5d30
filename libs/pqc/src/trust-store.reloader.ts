import { pollFile } from '@mapek/config';
import { trustPaths, loadTrustStore } from './identity-files.js';
import type { PqcBackend } from './pqc-backend.types.js';
import type { SealRecipient } from './payload.sealer.js';
import type { TrustStore, TrustedIdentity } from './trust-bundle.js';

export interface TrustReloadEvent {
  readonly result: 'reloaded' | 'rejected';
  /** The bundle's validity end after a reload (epoch ms). */
  readonly notAfter?: number;
  readonly error?: unknown;
}

export interface ReloadingTrustStoreOptions {
  readonly backend: PqcBackend;
  /** The `mapek pki` directory holding `trust-bundle.json` and the CA's public key. */
  readonly dir: string;
  /** The bundle already loaded and verified at start. */
  readonly initial: TrustStore;
  /** How often the bundle file is checked for a change (default 5 s). */
  readonly intervalMs?: number;
  readonly onReload?: (event: TrustReloadEvent) => void;
}

/** A {@link TrustStore} that follows `trust-bundle.json` on disk; `stop()` ends the polling. */
export interface ReloadingTrustStore extends TrustStore {
  /** Checks the file now (the timer calls this); resolves once a change was loaded or rejected. */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Key rotation without restarting the fleet: `mapek pki rotate <identity>` rewrites the trust
 * bundle with the old and the new keys (both valid during the overlap); every service holding
 * this store picks the new bundle up within `intervalMs`, so the rotated service can restart with
 * its new key while the others already accept it. A bundle is swapped in only after its CA
 * signature and validity window verify (openTrustBundle); a bad one is reported and the last good
 * bundle stays in force (`pollFile`: the file's mtime and size tell a change).
 */
export async function createReloadingTrustStore(options: ReloadingTrustStoreOptions): Promise<ReloadingTrustStore> {
  let current = options.initial;
  // The baseline is the file as it is now, the one `initial` came from.
  const poller = await pollFile(trustPaths(options.dir).trustBundle, {
    intervalMs: options.intervalMs ?? 5000,
    onChange: async () => {
      try {
        current = await loadTrustStore(options.backend, options.dir);
        options.onReload?.({ result: 'reloaded', notAfter: current.notAfter });
      } catch (error) {
        options.onReload?.({ result: 'rejected', error });
      }
    },
  });

  return {
    get trustDomain(): string {
      return current.trustDomain;
    },
    get notAfter(): number {
      return current.notAfter;
    },
    identity: (nameOrSpiffeId: string): TrustedIdentity | undefined => current.identity(nameOrSpiffeId),
    verificationKey: (source: string, kid: string, at: number): Uint8Array | undefined => current.verificationKey(source, kid, at),
    recipientKey: (name: string, at: number): SealRecipient | undefined => current.recipientKey(name, at),
    check: poller.check,
    stop: poller.stop,
  };
}
