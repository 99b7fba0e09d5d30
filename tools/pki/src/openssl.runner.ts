import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PkiError, PkiErrorCode } from './pki.errors.js';

const run = promisify(execFile);

/** Runs the `openssl` CLI with an argument vector — never through a shell. */
export async function openssl(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('openssl', [...args], { maxBuffer: 1 << 20 });
    return stdout;
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr ?? '';
    throw new PkiError(PkiErrorCode.opensslFailed, `openssl ${args[0] ?? ''} failed: ${stderr.trim() || String(cause)}`, { cause });
  }
}
