import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { MapekError, mapekConfigurationSchema, type MapekConfiguration } from '@mapek/contracts';
import { pollFile, type FilePoller } from './file-poller.js';

/** The configuration file could not be read or is not valid; `problems` say where and why. */
export class ConfigurationFileError extends MapekError {
  readonly code = 'configuration_file_invalid';
  readonly retryable = false;
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`configuration file ${file} is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`, options);
  }
}

/** Parses the text of a configuration file (YAML, of which JSON is a subset). */
export function parseConfiguration(text: string, file = '(inline)'): MapekConfiguration {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    throw new ConfigurationFileError(file, [`not readable YAML: ${(error as Error).message}`], { cause: error });
  }
  const parsed = mapekConfigurationSchema.safeParse(document);
  if (!parsed.success) {
    throw new ConfigurationFileError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`),
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

export async function readConfigurationFile(file: string): Promise<MapekConfiguration> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigurationFileError(file, [`not readable: ${(error as Error).message}`], { cause: error });
  }
  return parseConfiguration(text, file);
}

/** What `/status` and the `mapek_configuration_*` metrics show about the file in force. */
export interface ConfigurationStatus {
  readonly file: string;
  /** Times a version was taken into force, the first one included. */
  readonly loads: number;
  /** Versions refused since start. */
  readonly rejections: number;
  readonly loadedAt: string;
  /** The last refusal, cleared once a good version is loaded. */
  readonly lastError?: { readonly at: string; readonly problems: readonly string[] };
}

export interface LiveConfiguration {
  /** The last good version. */
  current(): MapekConfiguration;
  status(): ConfigurationStatus;
  /** Checks the file now (tests; the poller does it every interval). */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Reads the configuration file, refusing to start on a bad one, then follows it: a changed file
 * that parses replaces the one in force and `onChange` sees it; one that does not is refused, the
 * last good one stays, and the refusal shows in {@link LiveConfiguration.status}.
 */
export async function watchConfigurationFile(
  file: string,
  options: {
    readonly intervalMs?: number;
    readonly onChange?: (next: MapekConfiguration, previous: MapekConfiguration) => void | Promise<void>;
    readonly onRejected?: (error: ConfigurationFileError) => void;
  } = {},
): Promise<LiveConfiguration> {
  let config = await readConfigurationFile(file);
  let status: ConfigurationStatus = { file, loads: 1, rejections: 0, loadedAt: new Date().toISOString() };
  const poller: FilePoller = await pollFile(file, {
    intervalMs: options.intervalMs ?? 2000,
    onChange: async () => {
      try {
        const next = await readConfigurationFile(file);
        const previous = config;
        config = next;
        status = { file, loads: status.loads + 1, rejections: status.rejections, loadedAt: new Date().toISOString() };
        await options.onChange?.(next, previous);
      } catch (error) {
        const refused =
          error instanceof ConfigurationFileError ? error : new ConfigurationFileError(file, [String(error)], { cause: error });
        status = { ...status, rejections: status.rejections + 1, lastError: { at: new Date().toISOString(), problems: refused.problems } };
        options.onRejected?.(refused);
      }
    },
  });
  return {
    current: () => config,
    status: () => status,
    check: () => poller.check(),
    stop: () => poller.stop(),
  };
}
