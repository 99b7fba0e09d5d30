import { readFile } from 'node:fs/promises';
import { pollFile, type FilePoller } from '@mapek/config';
import { parseApiKeysFile } from '@mapek/contracts';
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
    throw new ApiKeysFileError(
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); create keys with \`./mapek pki api-key create --name <who> --role <role>\``,
      { cause: error },
    );
  }
  const parsed = parseApiKeysFile(text);
  if (!parsed.ok) throw new ApiKeysFileError(file, parsed.problem);
  return new ApiKeyVerifier(parsed.file);
}

export interface ApiKeysReloadEvent {
  readonly result: 'reloaded' | 'rejected';
  readonly keys?: number;
  readonly error?: unknown;
}

/**
 * The keys file as it is now: `mapek pki api-key create|revoke` rewrite it (atomically), and the
 * gateway takes the change within `intervalMs` without a restart (`pollFile`). A file that no
 * longer parses is reported and the last good keys stay in force, so a bad edit cannot lock
 * everyone out or let anyone in.
 */
export class ApiKeysSource {
  private constructor(
    readonly file: string,
    private current: ApiKeyVerifier,
    private readonly poller: FilePoller,
  ) {}

  /** Reads the file once (refusing to start on a bad one), then follows it. */
  static async open(file: string, options: { intervalMs: number; onReload: (event: ApiKeysReloadEvent) => void }): Promise<ApiKeysSource> {
    let source: ApiKeysSource | undefined;
    // Polling starts before the first read, so a change in between is taken on the first check.
    const poller = await pollFile(file, {
      intervalMs: options.intervalMs,
      onChange: async () => {
        if (!source) return;
        try {
          source.current = await readApiKeysFile(file);
          options.onReload({ result: 'reloaded', keys: source.current.size });
        } catch (error) {
          options.onReload({ result: 'rejected', error });
        }
      },
    });
    try {
      source = new ApiKeysSource(file, await readApiKeysFile(file), poller);
    } catch (error) {
      poller.stop();
      throw error;
    }
    return source;
  }

  get verifier(): ApiKeyVerifier {
    return this.current;
  }

  /** Checks the file now; resolves once a change was taken or refused. */
  check(): Promise<void> {
    return this.poller.check();
  }

  stop(): void {
    this.poller.stop();
  }
}
