import { readFile, stat } from 'node:fs/promises';
import { apiKeysFileV1Schema } from '@mapek/contracts';
import { ApiKeyVerifier } from '../domain/api-key.verifier.js';

/** The keys file could not be read or is not a valid mapek API keys file. */
export class ApiKeysFileError extends Error {
  override readonly name = 'ApiKeysFileError';
  readonly code = 'api_keys_file_invalid';
  readonly retryable = false;
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`API keys file ${file}: ${reason}`, options);
  }
}

export async function readApiKeysFile(file: string): Promise<ApiKeyVerifier> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ApiKeysFileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); create keys with \`./mapek pki api-key create --name <who> --role <role>\``, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ApiKeysFileError(file, 'is not JSON', { cause: error });
  }
  const parsed = apiKeysFileV1Schema.safeParse(json);
  if (!parsed.success) throw new ApiKeysFileError(file, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`).join('; '));
  return new ApiKeyVerifier(parsed.data);
}

export interface ApiKeysReloadEvent {
  readonly result: 'reloaded' | 'rejected';
  readonly keys?: number;
  readonly error?: unknown;
}

/**
 * The keys file as it is now: `mapek pki api-key create|revoke` rewrite it (atomically), and the
 * gateway takes the change within `intervalMs` without a restart. A file that no longer parses
 * is reported and the last good keys stay in force, so a bad edit cannot lock everyone out or
 * let anyone in. The file's mtime and size tell a change.
 */
export class ApiKeysSource {
  private seen: string | undefined;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly file: string,
    private current: ApiKeyVerifier,
    private readonly onReload: (event: ApiKeysReloadEvent) => void,
  ) {}

  /** Reads the file once (refusing to start on a bad one), then polls it. */
  static async open(file: string, options: { intervalMs: number; onReload: (event: ApiKeysReloadEvent) => void }): Promise<ApiKeysSource> {
    const fingerprint = await ApiKeysSource.fingerprint(file);
    const source = new ApiKeysSource(file, await readApiKeysFile(file), options.onReload);
    source.seen = fingerprint;
    source.timer = setInterval(() => void source.check(), options.intervalMs);
    source.timer.unref();
    return source;
  }

  get verifier(): ApiKeyVerifier {
    return this.current;
  }

  /** Checks the file now; resolves once a change was taken or refused. */
  check(): Promise<void> {
    this.running ??= this.checkOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async checkOnce(): Promise<void> {
    const now = await ApiKeysSource.fingerprint(this.file);
    if (now === undefined || now === this.seen) return;
    this.seen = now;
    try {
      this.current = await readApiKeysFile(this.file);
      this.onReload({ result: 'reloaded', keys: this.current.size });
    } catch (error) {
      this.onReload({ result: 'rejected', error });
    }
  }

  private static async fingerprint(file: string): Promise<string | undefined> {
    try {
      const info = await stat(file);
      return `${info.mtimeMs}:${info.size}`;
    } catch {
      return undefined; // Being replaced right now, or removed: keep the last good keys.
    }
  }
}
