import { request as httpsRequest } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import type { ManagedProcess } from './managed-process.js';
import { ProcessNotReadyError } from './stack.errors.js';

/** A check that answers whether the process is ready yet; it may throw, which counts as "not yet". */
export type ReadinessProbe = (signal: AbortSignal) => Promise<boolean>;

export interface WaitForReadyOptions {
  readonly timeoutMs: number;
  /** Pause between probes. */
  readonly intervalMs?: number;
  /** Says what was being waited for, in the error. */
  readonly waitingFor: string;
  /** Lines of output quoted in the error. */
  readonly tailLines?: number;
}

/**
 * Runs `probe` until it answers true. Fails fast with a {@link ProcessNotReadyError} (naming the
 * process and quoting its last output) when the process exits first or the timeout passes.
 */
export async function waitForReady(process: ManagedProcess, probe: ReadinessProbe, options: WaitForReadyOptions): Promise<void> {
  const controller = new AbortController();
  const { signal } = controller;
  const tailLines = options.tailLines ?? 30;
  const exited = process.exited.then((exit) => {
    const how = exit.error
      ? `could not be spawned (${exit.error.message})`
      : exit.signal
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit.code ?? '?'}`;
    return new ProcessNotReadyError(process.name, `it ${how} before ${options.waitingFor}`, process.tail(tailLines), { cause: exit.error });
  });
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let lastProblem: unknown;
  const probing = (async (): Promise<ProcessNotReadyError | undefined> => {
    while (!signal.aborted) {
      try {
        if (await probe(signal)) return undefined;
      } catch (error: unknown) {
        lastProblem = error;
      }
      await delay(options.intervalMs ?? 100, undefined, { signal }).catch(() => undefined);
    }
    const detail = lastProblem instanceof Error ? ` (last check: ${lastProblem.message})` : '';
    return new ProcessNotReadyError(
      process.name,
      `${options.waitingFor} did not happen within ${options.timeoutMs} ms${detail}`,
      process.tail(tailLines),
      {
        cause: lastProblem,
      },
    );
  })();
  try {
    const failure = await Promise.race([probing, exited]);
    if (failure) throw failure;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** A probe that passes when `GET url` answers 200. */
export function httpOkProbe(url: string): ReadinessProbe {
  return async (signal) => {
    const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) });
    await response.body?.cancel();
    if (response.status === 200) return true;
    throw new Error(`GET ${url} answered ${response.status}`);
  };
}

/** As {@link httpOkProbe} over HTTPS, trusting only `ca` (the development CA). */
export function httpsOkProbe(url: string, ca: string): ReadinessProbe {
  return (signal) =>
    new Promise<boolean>((resolve, reject) => {
      const request = httpsRequest(url, { ca, signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) }, (response) => {
        response.resume();
        if (response.statusCode === 200) resolve(true);
        else reject(new Error(`GET ${url} answered ${response.statusCode ?? '?'}`));
      });
      request.once('error', reject);
      request.end();
    });
}
