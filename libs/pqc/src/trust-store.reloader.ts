import { stat } from 'node:fs/promises';
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
 * bundle stays in force. The file's mtime and size tell a change (a polling stat: atomic renames
 * and network file systems behave the same).
 */
export async function createReloadingTrustStore(options: ReloadingTrustStoreOptions): Promise<ReloadingTrustStore> {
  const file = trustPaths(options.dir).trustBundle;
  let current = options.initial;
  let seen: string | undefined;
  let running: Promise<void> | undefined;

  const fingerprint = async (): Promise<string | undefined> => {
    try {
      const info = await stat(file);
      return `${info.mtimeMs}:${info.size}`;
    } catch {
      return undefined; // Being replaced right now, or removed: keep the last good bundle.
    }
  };

  const checkOnce = async (): Promise<void> => {
    const now = await fingerprint();
    if (now === undefined || now === seen) return;
    seen = now;
    try {
      current = await loadTrustStore(options.backend, options.dir);
      options.onReload?.({ result: 'reloaded', notAfter: current.notAfter });
    } catch (error) {
      options.onReload?.({ result: 'rejected', error });
    }
  };

  const check = (): Promise<void> => {
    running ??= checkOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  seen = await fingerprint(); // The file as it is at start (the bundle `initial` came from).
  const timer = setInterval(() => void check(), options.intervalMs ?? 5000);
  timer.unref();

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
    check,
    stop: () => clearInterval(timer),
  };
}
