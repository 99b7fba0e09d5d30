import { stat } from 'node:fs/promises';

/** Follows one file on disk; see {@link pollFile}. */
export interface FilePoller {
  /** Checks the file now (the timer calls this); resolves once a change was handled. One check runs at a time. */
  readonly check: () => Promise<void>;
  readonly stop: () => void;
}

/**
 * Calls `onChange` when a file a running service reads (the trust bundle, the gateway's API keys)
 * changes, checked every `intervalMs`. The file's mtime and size tell a change: a polling stat
 * behaves the same with atomic renames and network file systems, where watch events do not. A
 * file that is missing or being replaced counts as unchanged, so its last good content stays in
 * force. The baseline is the file as it is when polling starts: read the first version after.
 * `onChange` handles its own errors (it keeps the last good version and reports the bad one).
 */
export async function pollFile(
  file: string,
  options: { readonly intervalMs: number; readonly onChange: () => Promise<void> },
): Promise<FilePoller> {
  const fingerprint = async (): Promise<string | undefined> => {
    try {
      const info = await stat(file);
      return `${info.mtimeMs}:${info.size}`;
    } catch {
      return undefined;
    }
  };
  let seen = await fingerprint();
  let running: Promise<void> | undefined;

  const checkOnce = async (): Promise<void> => {
    const now = await fingerprint();
    if (now === undefined || now === seen) return;
    seen = now;
    await options.onChange();
  };

  const check = (): Promise<void> => {
    running ??= checkOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => void check(), options.intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
